package dev.firstordinal.certs;

import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAPrivateKeySpec;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServingPairTest {

    private final CertificateIssuer issuer = new CertificateIssuer();
    private final IssuedCertificate ca = issuer.certificateAuthority("test CA", Duration.ofDays(10), KeyType.EC_P256);

    private IssuedCertificate serving(KeyType type) {
        return issuer.servingCertificate(ca, List.of("svc.ns.svc"), List.of(), Duration.ofDays(1), type);
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void acceptsACertificateWithItsPkcs8Key(KeyType type) {
        IssuedCertificate serving = serving(type);

        ServingPair pair = ServingPair.parse(serving.certificatePem() + Pem.encode(List.of(ca.certificate())), serving.privateKeyPem());

        assertThat(pair.leaf()).isEqualTo(serving.certificate());
        assertThat(pair.chain()).hasSize(2);
        assertThat(pair.describe()).contains("svc.ns.svc").contains("CN=test CA");
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void acceptsTraditionalSec1AndPkcs1KeysAsCertManagerWritesThem(KeyType type) throws Exception {
        IssuedCertificate serving = serving(type);
        StringWriter traditional = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(traditional)) {
            if (type == KeyType.EC_P256) {
                // SEC1 as openssl writes it: the curve's OID inside the key structure.
                PrivateKeyInfo info = PrivateKeyInfo.getInstance(serving.privateKey().getEncoded());
                ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
                byte[] publicKey = SubjectPublicKeyInfo.getInstance(serving.certificate().getPublicKey().getEncoded()).getPublicKeyData().getBytes();
                ECPrivateKey sec1 = new ECPrivateKey(256, inner.getKey(), new DERBitString(publicKey),
                        info.getPrivateKeyAlgorithm().getParameters());
                writer.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
            } else {
                writer.writeObject(new KeyPair(serving.certificate().getPublicKey(), serving.privateKey()));
            }
        }
        assertThat(traditional.toString()).startsWith(type == KeyType.EC_P256 ? "-----BEGIN EC PRIVATE KEY" : "-----BEGIN RSA PRIVATE KEY");

        assertThat(ServingPair.parse(serving.certificatePem(), traditional.toString()).leaf()).isEqualTo(serving.certificate());
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void rejectsTheKeyOfAnotherCertificate(KeyType type) {
        assertThatThrownBy(() -> ServingPair.parse(serving(type).certificatePem(), serving(type).privateKeyPem()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not belong");
    }

    @Test
    void rejectsAnEcKeyOnAnotherCurve() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp384r1"));

        assertThat(Pem.matches(generator.generateKeyPair().getPrivate(), serving(KeyType.EC_P256).certificate())).isFalse();
    }

    @Test
    void rejectsAnRsaKeyWithTheRightModulusButAnotherPrivateExponent() throws Exception {
        IssuedCertificate serving = serving(KeyType.RSA_2048);
        RSAPrivateKey key = (RSAPrivateKey) serving.privateKey();
        PrivateKey wrong = KeyFactory.getInstance("RSA").generatePrivate(
                new RSAPrivateKeySpec(key.getModulus(), key.getPrivateExponent().add(BigInteger.TWO)));

        assertThat(Pem.matches(key, serving.certificate())).isTrue();
        assertThat(Pem.matches(wrong, serving.certificate())).isFalse();
    }

    @Test
    void rejectsAnRsaKeyForAnEcCertificate() {
        assertThatThrownBy(() -> ServingPair.parse(serving(KeyType.EC_P256).certificatePem(), serving(KeyType.RSA_2048).privateKeyPem()))
                .hasMessageContaining("does not belong");
    }

    @Test
    void rejectsMissingAndDamagedParts() {
        IssuedCertificate serving = serving(KeyType.EC_P256);
        assertThatThrownBy(() -> ServingPair.parse("", serving.privateKeyPem())).hasMessageStartingWith("certificate: no PEM CERTIFICATE");
        assertThatThrownBy(() -> ServingPair.parse(serving.certificatePem(), "")).hasMessageStartingWith("private key: no PEM PRIVATE KEY");
        String truncated = serving.certificatePem().substring(0, serving.certificatePem().length() / 2)
                + "\n-----END CERTIFICATE-----\n";
        assertThatThrownBy(() -> ServingPair.parse(truncated, serving.privateKeyPem())).hasMessageStartingWith("certificate: ");
    }
}

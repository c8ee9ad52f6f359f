package dev.firstordinal.certs.serving;

import dev.firstordinal.certs.CertificateIssuer;
import dev.firstordinal.certs.IssuedCertificate;
import dev.firstordinal.certs.KeyType;
import dev.firstordinal.certs.ServingPair;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ServingKeyManagerTest {

    private final CertificateIssuer issuer = new CertificateIssuer();
    private final IssuedCertificate ca = issuer.certificateAuthority("test CA", Duration.ofDays(2), KeyType.EC_P256);

    private ServingPair pair(KeyType type) {
        IssuedCertificate serving = issuer.servingCertificate(ca, List.of("svc.ns.svc"), List.of(), Duration.ofDays(1), type);
        return new ServingPair(List.of(serving.certificate(), ca.certificate()), serving.privateKey());
    }

    @Test
    void offersNothingBeforeAPairIsInstalled() {
        ServingKeyManager keyManager = new ServingKeyManager();

        assertThat(keyManager.chooseEngineServerAlias("EC", null, null)).isNull();
        assertThat(keyManager.current()).isEmpty();
    }

    @Test
    void offersAnEcPairOnlyForEcHandshakes() {
        ServingKeyManager keyManager = new ServingKeyManager();
        ServingPair ec = pair(KeyType.EC_P256);
        keyManager.install(ec);

        String alias = keyManager.chooseEngineServerAlias("EC", null, null);
        assertThat(alias).isNotNull();
        assertThat(keyManager.getCertificateChain(alias)).containsExactlyElementsOf(ec.chain());
        assertThat(keyManager.getPrivateKey(alias)).isEqualTo(ec.key());
        assertThat(keyManager.chooseEngineServerAlias("RSA", null, null)).isNull();
        assertThat(keyManager.chooseServerAlias("EC_EC", null, null)).isEqualTo(alias);
    }

    @Test
    void offersAnRsaPairForRsaAndRsaPssHandshakes() {
        ServingKeyManager keyManager = new ServingKeyManager();
        keyManager.install(pair(KeyType.RSA_2048));

        assertThat(keyManager.chooseEngineServerAlias("RSA", null, null)).isNotNull();
        assertThat(keyManager.chooseEngineServerAlias("RSASSA-PSS", null, null)).isNotNull();
        assertThat(keyManager.chooseEngineServerAlias("EC", null, null)).isNull();
    }

    @Test
    void newHandshakesGetTheLastInstalledPair() {
        ServingKeyManager keyManager = new ServingKeyManager();
        ServingPair first = pair(KeyType.EC_P256);
        ServingPair second = pair(KeyType.EC_P256);
        keyManager.install(first);

        keyManager.install(second);

        String alias = keyManager.chooseEngineServerAlias("EC", null, null);
        assertThat(keyManager.getCertificateChain(alias)[0]).isEqualTo(second.leaf());
        assertThat(keyManager.getPrivateKey(alias)).isEqualTo(second.key());
        assertThat(keyManager.current()).contains(second);
    }

    @Test
    void aHandshakeThatStraddlesAnInstallKeepsAChainAndKeyThatBelongTogether() {
        ServingKeyManager keyManager = new ServingKeyManager();
        ServingPair first = pair(KeyType.EC_P256);
        keyManager.install(first);
        String alias = keyManager.chooseEngineServerAlias("EC", null, null);

        keyManager.install(pair(KeyType.EC_P256));

        assertThat(keyManager.getCertificateChain(alias)[0]).isEqualTo(first.leaf());
        assertThat(keyManager.getPrivateKey(alias)).isEqualTo(first.key());
    }

    @Test
    void isNoClientKeyManager() {
        ServingKeyManager keyManager = new ServingKeyManager();
        keyManager.install(pair(KeyType.EC_P256));

        assertThat(keyManager.chooseEngineClientAlias(new String[] {"EC"}, null, null)).isNull();
        assertThat(keyManager.getClientAliases("EC", null)).isNull();
    }
}

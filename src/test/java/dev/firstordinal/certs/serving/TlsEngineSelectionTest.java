package dev.firstordinal.certs.serving;

import dev.firstordinal.config.FirstOrdinalConfig.Tls.Engine;
import io.netty.handler.ssl.OpenSsl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.assertj.core.api.Assertions.assertThat;

class TlsEngineSelectionTest {

    @Test
    void usesOpenSslWhenAskedForAndItLoads() {
        assertThat(TlsEngineSelection.effective(Engine.OPENSSL, true)).isEqualTo(Engine.OPENSSL);
    }

    @Test
    void fallsBackToTheJdkWhenOpenSslCannotLoad() {
        assertThat(TlsEngineSelection.effective(Engine.OPENSSL, false)).isEqualTo(Engine.JDK);
    }

    @Test
    void keepsTheJdkWhenAskedForEvenIfOpenSslLoads() {
        assertThat(TlsEngineSelection.effective(Engine.JDK, true)).isEqualTo(Engine.JDK);
    }

    /** The bundled BoringSSL must load on the platforms the image is built for, or the default silently costs CPU. */
    @Test
    @EnabledOnOs(OS.LINUX)
    @EnabledIfSystemProperty(named = "os.arch", matches = "amd64|x86_64|aarch64")
    void bundledBoringSslLoadsOnThisLinuxPlatform() {
        assertThat(OpenSsl.unavailabilityCause()).as("netty-tcnative could not load").isNull();
        assertThat(OpenSsl.isAvailable()).isTrue();
        assertThat(OpenSsl.versionString()).startsWith("BoringSSL");
    }
}

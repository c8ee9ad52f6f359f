package dev.firstordinal.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PodIdentityTest {

    @TempDir
    Path tmp;

    @Test
    void configuredNamespaceWins() {
        assertThat(PodIdentity.namespace(Optional.of("hooks"), Map.of("POD_NAMESPACE", "env"), tmp.resolve("none"), () -> "client"))
                .isEqualTo("hooks");
    }

    @Test
    void thenThePodNamespaceFromTheDownwardApi() {
        assertThat(PodIdentity.namespace(Optional.empty(), Map.of("POD_NAMESPACE", "env"), tmp.resolve("none"), () -> "client"))
                .isEqualTo("env");
    }

    @Test
    void thenTheServiceAccountNamespaceFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("namespace"), "from-file\n");
        assertThat(PodIdentity.namespace(Optional.of(" "), Map.of(), file, () -> "client")).isEqualTo("from-file");
    }

    @Test
    void thenTheKubernetesClientsNamespace() {
        assertThat(PodIdentity.namespace(Optional.empty(), Map.of(), tmp.resolve("none"), () -> "client")).isEqualTo("client");
    }

    @Test
    void saysHowToSetItWhenNothingTells() {
        assertThatThrownBy(() -> PodIdentity.namespace(Optional.empty(), Map.of(), tmp.resolve("none"), () -> null))
                .hasMessageContaining("first-ordinal.tls.namespace");
    }

    @Test
    void identityIsThePodName() {
        assertThat(PodIdentity.identity(Map.of("POD_NAME", "first-ordinal-7d9c-abcde", "HOSTNAME", "host"))).isEqualTo("first-ordinal-7d9c-abcde");
        assertThat(PodIdentity.identity(Map.of("HOSTNAME", "host"))).isEqualTo("host");
        assertThat(PodIdentity.identity(Map.of())).startsWith("first-ordinal-").isNotEqualTo(PodIdentity.identity(Map.of()));
    }
}

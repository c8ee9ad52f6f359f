package dev.firstordinal.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterlessServeTest {

    @TempDir
    Path home;

    @Test
    void noKubeconfigNoPodAndNoMasterIsNoCluster() {
        assertThat(ClusterlessServe.clusterConfigured(Map.of("KUBECONFIG", ""), home)).isFalse();
        assertThat(ClusterlessServe.clusterConfigured(Map.of("KUBECONFIG", home.resolve("missing").toString()), home)).isFalse();
    }

    @Test
    void aKubeconfigFileAPodOrAMasterUrlIsACluster() throws IOException {
        Path file = Files.writeString(home.resolve("kc"), "apiVersion: v1\nkind: Config\n");
        assertThat(ClusterlessServe.clusterConfigured(Map.of("KUBECONFIG", "/nowhere:" + file), home)).isTrue();
        assertThat(ClusterlessServe.clusterConfigured(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"), home)).isTrue();
        assertThat(ClusterlessServe.clusterConfigured(Map.of("KUBERNETES_MASTER", "https://127.0.0.1:6443"), home)).isTrue();
        Files.createDirectories(home.resolve(".kube"));
        Files.writeString(home.resolve(".kube").resolve("config"), "apiVersion: v1\nkind: Config\n");
        assertThat(ClusterlessServe.clusterConfigured(Map.of(), home)).isTrue();
    }
}

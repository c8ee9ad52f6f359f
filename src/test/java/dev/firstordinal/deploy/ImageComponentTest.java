package dev.firstordinal.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 30 #11: the README's kustomize and labeller paths rendered {@code first-ordinal:0.1.0}, which
 * cannot be pulled, and setting the image needed a standalone kustomize in two places. One file,
 * {@code deploy/kubernetes/components/image}, sets it for every kustomize path.
 */
class ImageComponentTest {

    private static final String COMPONENT = "kubernetes/components/image/kustomization.yaml";

    @TempDir
    Path copy;

    @Test
    void oneEditOfTheImageComponentSetsTheImageOfTheWebhookOverlaysAndTheLabellerExample() throws IOException {
        copyTree(DeployTree.ROOT, copy);
        Path component = copy.resolve(COMPONENT);
        String text = Files.readString(component);
        assertThat(text).contains("newName: first-ordinal\n");
        Files.writeString(component, text.replace("newName: first-ordinal\n", "newName: registry.example/platform/first-ordinal\n"));

        for (String overlay : List.of("self-managed", "cert-manager")) {
            List<HasMetadata> objects = KubernetesYaml.objects(Kustomize.build(copy.resolve("kubernetes/overlays").resolve(overlay)));
            assertThat(KubernetesYaml.only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    .as(overlay).isEqualTo("registry.example/platform/first-ordinal:0.1.0");
        }
        StatefulSet shard = KubernetesYaml.only(KubernetesYaml.objects(Kustomize.build(copy.resolve("labeller/example"))), StatefulSet.class);
        assertThat(shard.getSpec().getTemplate().getSpec().getInitContainers()).singleElement()
                .satisfies(c -> assertThat(c.getImage()).isEqualTo("registry.example/platform/first-ordinal:0.1.0"));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : paths.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}

package dev.firstordinal.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every YAML file under deploy/ is YAML, and every Kubernetes object in it is one fabric8 fully understands. */
class DeployYamlTest {

    /** Files the kustomizations use as patches (JSON patches are lists, not objects). */
    private static final Set<Path> KUSTOMIZE_PATCHES = kustomizeFiles("patches", "patchesJson6902", "patchesStrategicMerge");
    /** Files the kustomizations use as transformer configurations (plain YAML). */
    private static final Set<Path> KUSTOMIZE_CONFIGURATIONS = kustomizeFiles("configurations");

    private static Set<Path> kustomizeFiles(String... fields) {
        Set<Path> files = new HashSet<>();
        for (Path kustomization : DeployTree.kustomizations()) {
            JsonNode doc = KubernetesYaml.documents(kustomization).get(0);
            for (String field : fields) {
                doc.path(field).forEach(entry -> {
                    String ref = entry.isTextual() ? entry.asText() : entry.path("path").asText(null);
                    if (ref != null && !ref.contains("\n")) {
                        files.add(kustomization.getParent().resolve(ref).normalize());
                    }
                });
            }
        }
        return files;
    }

    static Stream<String> yamlFiles() {
        return DeployTree.yamlFiles().stream().map(DeployTree::relative);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("yamlFiles")
    void everyKubernetesObjectParsesIntoAFabric8ModelWithNoUnknownField(String file) {
        Path path = Path.of(file).toAbsolutePath();
        List<JsonNode> docs = KubernetesYaml.documents(path);

        assertThat(docs).as("%s has no YAML document", file).isNotEmpty();
        for (JsonNode doc : docs) {
            if (doc.isArray()) {
                assertThat(KUSTOMIZE_PATCHES).as("%s: a list is only allowed as a kustomize JSON patch", file).contains(path.normalize());
                doc.forEach(op -> {
                    assertThat(op.path("op").asText()).as("%s: JSON patch op", file).isIn("add", "remove", "replace", "move", "copy", "test");
                    assertThat(op.path("path").asText()).as("%s: JSON patch path", file).startsWith("/");
                });
                continue;
            }
            assertThat(doc.isObject()).as("%s: every document is a mapping or a JSON patch", file).isTrue();
            if (!KubernetesYaml.isKubernetesObject(doc)) {
                assertThat(isHelmValuesOrChart(path) || KUSTOMIZE_CONFIGURATIONS.contains(path.normalize()))
                        .as("%s: a document without apiVersion and kind is only allowed in Helm values, Chart.yaml, the chart's files/ and kustomize configurations", file)
                        .isTrue();
                continue;
            }
            if (KubernetesYaml.isKustomize(doc)) {
                continue; // not a Kubernetes object: checked by KustomizationsTest
            }
            HasMetadata object = KubernetesYaml.toObject(doc);
            String id = file + ": " + object.getKind() + " " + object.getMetadata().getName();
            assertThat(object.getMetadata().getName()).as("%s has a name", id).isNotBlank();
            assertThat(KubernetesYaml.unknownFields(object)).as("%s: fields the Kubernetes model does not know", id).isEmpty();
        }
    }

    @Test
    void deployTreeHasTheExpectedManifests() {
        List<String> files = yamlFiles().toList();

        assertThat(files).contains(
                "deploy/kubernetes/base/kustomization.yaml",
                "deploy/kubernetes/base/mutatingwebhookconfiguration.yaml",
                "deploy/kubernetes/overlays/certs-command/kustomization.yaml",
                "deploy/kubernetes/overlays/no-match-conditions/kustomization.yaml",
                "deploy/helm/first-ordinal/Chart.yaml",
                "deploy/helm/first-ordinal/values.yaml",
                "deploy/velero/schedule.yaml",
                "deploy/velero/velero-values.yaml",
                "deploy/examples/redis-sentinel/statefulset.yaml");
        assertThat(files).noneMatch(f -> f.contains("/templates/"));
    }

    @Test
    void misspeltFieldIsReportedAsUnknown() {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: typo
                spec:
                  template:
                    spec:
                      containers:
                        - name: app
                          securityContext:
                            readOnlyRootFileSystem: true
                """;

        assertThat(KubernetesYaml.unknownFields(KubernetesYaml.objects(yaml).get(0)))
                .containsExactly(".spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem");
    }

    @Test
    void strategicMergePatchDirectivesAreNotUnknownFields() {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: patch
                spec:
                  template:
                    spec:
                      affinity:
                        $patch: delete
                """;

        assertThat(KubernetesYaml.unknownFields(KubernetesYaml.objects(yaml).get(0))).isEmpty();
    }

    @Test
    void unknownKindIsRejected() {
        JsonNode doc = KubernetesYaml.documents("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n").get(0);

        assertThatThrownBy(() -> KubernetesYaml.toObject(doc)).hasMessageContaining("example.com/v1 Widget");
    }

    private static boolean isHelmValuesOrChart(Path path) {
        String name = path.getFileName().toString();
        // files/: fragments the chart's templates read with .Files.Get (the policy's CEL), not objects.
        return name.equals("Chart.yaml") || name.equals("values.yaml") || name.endsWith("-values.yaml")
                || path.toAbsolutePath().normalize().startsWith(DeployTree.CHART.resolve("files"));
    }
}

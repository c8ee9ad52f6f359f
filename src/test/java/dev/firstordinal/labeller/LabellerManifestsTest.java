package dev.firstordinal.labeller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** deploy/labeller agrees with the code: the RBAC it grants, the environment it sets, the pods it selects. */
class LabellerManifestsTest {

    private static final Path COMPONENT = Path.of("deploy", "labeller", "component");
    private static final Path EXAMPLE = Path.of("deploy", "labeller", "example");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";

    private static <T> T document(Path file, String kind, Class<T> type) throws IOException {
        for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
            JsonNode node = YAML.readTree(doc);
            if (node != null && kind.equals(node.path("kind").asText())) {
                return YAML.treeToValue(node, type);
            }
        }
        throw new AssertionError(file + " has no " + kind);
    }

    private static PodSpec patchedPodSpec() throws IOException {
        return document(COMPONENT.resolve("initcontainer-patch.yaml"), "StatefulSet", StatefulSet.class).getSpec().getTemplate().getSpec();
    }

    private static Container labeller() throws IOException {
        return patchedPodSpec().getInitContainers().stream()
                .filter(c -> c.getName().equals("first-ordinal-labeller")).findFirst().orElseThrow();
    }

    @Test
    void theRoleGrantsExactlyTheCallsTheLabellerMakes() throws IOException {
        Role role = document(COMPONENT.resolve("rbac.yaml"), "Role", Role.class);
        Set<String> granted = role.getRules().stream().flatMap(LabellerManifestsTest::grants).collect(Collectors.toSet());

        Set<String> needed = List.of(Operation.getPod("ns", "p"), Operation.patchPod("ns", "p"), Operation.getStatefulSet("ns", "s"))
                .stream().map(o -> o.apiGroup() + "/" + o.resource() + ":" + o.verb()).collect(Collectors.toSet());

        assertThat(granted).isEqualTo(needed);
        assertThat(role.getMetadata().getName()).isEqualTo(ApiFailure.ROLE);
    }

    private static java.util.stream.Stream<String> grants(PolicyRule rule) {
        return rule.getApiGroups().stream().flatMap(group -> rule.getResources().stream()
                .flatMap(resource -> rule.getVerbs().stream().map(verb -> group + "/" + resource + ":" + verb)));
    }

    @Test
    void theRoleIsBoundToTheServiceAccountThePodsRunAs() throws IOException {
        RoleBinding binding = document(COMPONENT.resolve("rbac.yaml"), "RoleBinding", RoleBinding.class);
        ServiceAccount account = document(COMPONENT.resolve("rbac.yaml"), "ServiceAccount", ServiceAccount.class);

        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(ApiFailure.ROLE);
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getKind()).isEqualTo("ServiceAccount");
            assertThat(subject.getName()).isEqualTo(account.getMetadata().getName());
        });
        assertThat(patchedPodSpec().getServiceAccountName()).isEqualTo(account.getMetadata().getName());
    }

    @Test
    void theInitContainerRunsLabelSelfOnItsOwnPod() throws IOException {
        Container labeller = labeller();

        assertThat(labeller.getArgs()).containsExactly("label-self");
        assertThat(labeller.getImage()).as("no registry host in the manifests").isEqualTo("first-ordinal:0.1.0");
        Map<String, String> fieldRefs = labeller.getEnv().stream().filter(e -> e.getValueFrom() != null)
                .collect(Collectors.toMap(EnvVar::getName, e -> e.getValueFrom().getFieldRef().getFieldPath()));
        assertThat(fieldRefs).containsExactlyInAnyOrderEntriesOf(Map.of("POD_NAME", "metadata.name", "POD_NAMESPACE", "metadata.namespace"));
    }

    @Test
    void theInitContainersSettingsAreOnesLabelSelfAccepts() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("POD_NAME", "redis-0", "POD_NAMESPACE", "shop"));
        labeller().getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));

        LabelSelfOptions options = LabelSelfOptions.of(new LabelSelfArguments(), env);

        assertThat(options.required()).isFalse();
        assertThat(options.timeout()).isEqualTo(LabelSelfOptions.DEFAULT_TIMEOUT);
    }

    @Test
    void theInitContainerIsLockedDownAndBounded() throws IOException {
        Container labeller = labeller();

        var security = labeller.getSecurityContext();
        assertThat(security.getRunAsNonRoot()).isTrue();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(labeller.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(labeller.getResources().getLimits()).containsKey("memory");
    }

    @Test
    void onlyTheInitContainerGetsTheServiceAccountToken() throws IOException {
        PodSpec pod = patchedPodSpec();

        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        String volume = labeller().getVolumeMounts().stream().filter(m -> m.getMountPath().equals(TOKEN_PATH))
                .findFirst().orElseThrow().getName();
        var sources = pod.getVolumes().stream().filter(v -> v.getName().equals(volume)).findFirst().orElseThrow()
                .getProjected().getSources();
        List<String> files = sources.stream().map(s -> s.getServiceAccountToken() != null ? "token from the ServiceAccount"
                : s.getConfigMap() != null ? "ca.crt from ConfigMap " + s.getConfigMap().getName()
                : s.getDownwardAPI() != null ? s.getDownwardAPI().getItems().get(0).getPath() + " from the Downward API"
                : "something else").toList();
        assertThat(files).containsExactly("token from the ServiceAccount", "ca.crt from ConfigMap kube-root-ca.crt",
                "namespace from the Downward API");
    }

    @Test
    void theExampleShardIsSelectedByTheComponent() throws IOException {
        JsonNode component = YAML.readTree(COMPONENT.resolve("kustomization.yaml").toFile());
        JsonNode target = component.at("/patches/0/target");
        String[] selector = target.path("labelSelector").asText().split("=");
        StatefulSet shard = document(EXAMPLE.resolve("redis-statefulset.yaml"), "StatefulSet", StatefulSet.class);

        assertThat(component.path("kind").asText()).isEqualTo("Component");
        assertThat(target.path("kind").asText()).isEqualTo("StatefulSet");
        assertThat(shard.getMetadata().getLabels()).containsEntry(selector[0], selector[1]);
        assertThat(shard.getSpec().getReplicas()).isEqualTo(3);
        assertThat(shard.getSpec().getTemplate().getSpec().getContainers()).extracting(Container::getImage).containsExactly("redis:7.2");
        JsonNode example = YAML.readTree(EXAMPLE.resolve("kustomization.yaml").toFile());
        assertThat(Arrays.asList(YAML.treeToValue(example.path("components"), String[].class))).containsExactly("../component", "../../kubernetes/components/image");
    }
}

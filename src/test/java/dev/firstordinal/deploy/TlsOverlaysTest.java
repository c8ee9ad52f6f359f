package dev.firstordinal.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.firstordinal.certs.ServiceDnsNames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** The TLS overlays name what the code uses by default: the Secret, the Lease, the webhook configuration, the Service names. */
class TlsOverlaysTest {

    static final Path OVERLAYS = Path.of("deploy", "kubernetes", "overlays");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Properties DEFAULTS = new Properties();

    @BeforeAll
    static void loadDefaults() throws IOException {
        try (InputStream in = TlsOverlaysTest.class.getResourceAsStream("/application.properties")) {
            DEFAULTS.load(in);
        }
    }

    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(documents::add);
        }
        return documents;
    }

    static JsonNode find(List<JsonNode> documents, String kind, String name) {
        return documents.stream()
                .filter(document -> document.path("kind").asText().equals(kind) && document.at("/metadata/name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    @Test
    void certManagerIssuesTheSecretTheDeploymentMountsForEveryServiceName() throws IOException {
        JsonNode certificate = find(documents(OVERLAYS.resolve("cert-manager/certificate.yaml")), "Certificate", "first-ordinal");

        assertThat(certificate.at("/spec/secretName").asText()).isEqualTo(DEFAULTS.getProperty("first-ordinal.tls.secret-name"));
        assertThat(strings(certificate.at("/spec/dnsNames")))
                .containsExactlyElementsOf(ServiceDnsNames.of(DEFAULTS.getProperty("first-ordinal.tls.service"), "first-ordinal", List.of()));
        assertThat(strings(certificate.at("/spec/usages"))).contains("server auth");
        assertThat(certificate.at("/spec/issuerRef/name").asText()).isEqualTo("first-ordinal-ca");
    }

    @Test
    void certManagerKeepsTheCaKeyAcrossCaRenewalsAndInjectsTheServingCertificatesCa() throws IOException {
        List<JsonNode> issuers = documents(OVERLAYS.resolve("cert-manager/issuers.yaml"));
        JsonNode ca = find(issuers, "Certificate", "first-ordinal-ca");
        assertThat(ca.at("/spec/isCA").asBoolean()).isTrue();
        assertThat(ca.at("/spec/privateKey/rotationPolicy").asText()).isEqualTo("Never");
        assertThat(find(issuers, "Issuer", "first-ordinal-ca").at("/spec/ca/secretName").asText()).isEqualTo(ca.at("/spec/secretName").asText());

        JsonNode patch = documents(OVERLAYS.resolve("cert-manager/inject-ca.yaml")).get(0);
        assertThat(patch.at("/metadata/name").asText()).isEqualTo(DEFAULTS.getProperty("first-ordinal.tls.webhook-configuration"));
        assertThat(patch.at("/metadata/annotations").path("cert-manager.io/inject-ca-from").asText()).isEqualTo("first-ordinal/first-ordinal");
    }

    @Test
    void selfManagedRbacGrantsTheNamedSecretLeaseAndWebhookConfigurationOnly() throws IOException {
        List<JsonNode> rbac = documents(OVERLAYS.resolve("self-managed/rbac.yaml"));
        JsonNode rules = find(rbac, "Role", "first-ordinal-tls").path("rules");
        String secret = DEFAULTS.getProperty("first-ordinal.tls.secret-name");
        String lease = DEFAULTS.getProperty("first-ordinal.tls.lease-name");

        assertThat(rule(rules, "secrets", secret)).containsExactlyInAnyOrder("get", "list", "watch", "update");
        assertThat(rule(rules, "secrets", null)).containsExactly("create");
        assertThat(rule(rules, "leases", lease)).containsExactlyInAnyOrder("get", "update", "patch");
        assertThat(rule(rules, "leases", null)).containsExactly("create");
        JsonNode clusterRules = find(rbac, "ClusterRole", "first-ordinal-webhook-cabundle").path("rules");
        assertThat(clusterRules).hasSize(1);
        assertThat(rule(clusterRules, "mutatingwebhookconfigurations", DEFAULTS.getProperty("first-ordinal.tls.webhook-configuration")))
                .containsExactlyInAnyOrder("get", "list", "watch", "patch");
        for (String binding : List.of("RoleBinding", "ClusterRoleBinding")) {
            JsonNode subject = rbac.stream().filter(document -> document.path("kind").asText().equals(binding)).findFirst().orElseThrow()
                    .at("/subjects/0");
            assertThat(subject.path("name").asText()).isEqualTo("first-ordinal");
            assertThat(subject.path("namespace").asText()).isEqualTo("first-ordinal");
        }
    }

    @Test
    void selfManagedDeploymentTurnsTheModeOnAndDropsTheSecretVolume() throws IOException {
        JsonNode deployment = documents(OVERLAYS.resolve("self-managed/deployment.yaml")).get(0);
        JsonNode container = deployment.at("/spec/template/spec/containers/0");

        assertThat(container.path("env")).anySatisfy(env -> {
            assertThat(env.path("name").asText()).isEqualTo("FIRST_ORDINAL_TLS_MODE");
            assertThat(env.path("value").asText()).isEqualTo("self-managed");
        });
        assertThat(container.path("env")).anySatisfy(env -> assertThat(env.at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("metadata.namespace"));
        assertThat(deployment.at("/spec/template/spec/volumes/0/$patch").asText()).isEqualTo("delete");
        assertThat(container.at("/volumeMounts/0/mountPath").asText()).isEqualTo("/etc/first-ordinal/tls");
    }

    @Test
    void everyOverlayFileIsListedInItsKustomization() throws IOException {
        for (String overlay : List.of("cert-manager", "self-managed")) {
            JsonNode kustomization = documents(OVERLAYS.resolve(overlay).resolve("kustomization.yaml")).get(0);
            List<String> listed = new ArrayList<>(strings(kustomization.path("resources")));
            kustomization.path("patches").forEach(patch -> listed.add(patch.path("path").asText()));
            try (var files = Files.list(OVERLAYS.resolve(overlay))) {
                List<String> yaml = files.map(file -> file.getFileName().toString())
                        .filter(name -> name.endsWith(".yaml") && !name.equals("kustomization.yaml")).toList();
                assertThat(listed).as(overlay).containsAll(yaml).contains("../../base");
            }
        }
    }

    @Test
    void selfManagedOverlayBuildsAPodThatStartsWithoutTheSecret() {
        List<io.fabric8.kubernetes.api.model.HasMetadata> objects = KubernetesYaml.objects(Kustomize.build(OVERLAYS.resolve("self-managed")));

        io.fabric8.kubernetes.api.model.PodSpec pod = KubernetesYaml.only(objects, io.fabric8.kubernetes.api.model.apps.Deployment.class)
                .getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).noneMatch(volume -> volume.getSecret() != null);
        assertThat(pod.getContainers().get(0).getVolumeMounts()).noneMatch(mount -> mount.getMountPath().equals("/etc/first-ordinal/tls"));
        assertThat(pod.getContainers().get(0).getEnv()).anyMatch(env -> env.getName().equals("FIRST_ORDINAL_TLS_MODE")
                && env.getValue().equals("self-managed"));
        assertThat(pod.getContainers().get(0).getEnv()).anyMatch(env -> env.getName().equals("POD_NAME")
                && env.getValueFrom().getFieldRef().getFieldPath().equals("metadata.name"));
        assertThat(KubernetesYaml.all(objects, io.fabric8.kubernetes.api.model.rbac.Role.class)).extracting(role -> role.getMetadata().getName())
                .contains("first-ordinal-tls");
    }

    @Test
    void certManagerOverlayBuildsWithTheCaInjectedIntoTheWebhookConfiguration() {
        List<io.fabric8.kubernetes.api.model.HasMetadata> objects = KubernetesYaml.objects(Kustomize.build(OVERLAYS.resolve("cert-manager")));

        assertThat(KubernetesYaml.only(objects, io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration.class)
                .getMetadata().getAnnotations()).containsEntry("cert-manager.io/inject-ca-from", "first-ordinal/first-ordinal");
        io.fabric8.kubernetes.api.model.PodSpec pod = KubernetesYaml.only(objects, io.fabric8.kubernetes.api.model.apps.Deployment.class)
                .getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).anyMatch(volume -> volume.getSecret() != null
                && volume.getSecret().getSecretName().equals(DEFAULTS.getProperty("first-ordinal.tls.secret-name")));
        assertThat(objects).filteredOn(object -> object.getKind().equals("Certificate")).hasSize(2)
                .allMatch(certificate -> "first-ordinal".equals(certificate.getMetadata().getNamespace()));
    }

    private static List<String> rule(JsonNode rules, String resource, String resourceName) {
        for (JsonNode rule : rules) {
            boolean forResource = strings(rule.path("resources")).contains(resource);
            boolean named = resourceName == null ? rule.path("resourceNames").isMissingNode() : strings(rule.path("resourceNames")).equals(List.of(resourceName));
            if (forResource && named) {
                return strings(rule.path("verbs"));
            }
        }
        throw new AssertionError("no rule for " + resource + " " + resourceName);
    }
}

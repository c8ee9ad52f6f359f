package dev.firstordinal.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.firstordinal.certs.CertificateIssuer;
import dev.firstordinal.certs.IssuedCertificate;
import dev.firstordinal.certs.KeyType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every kustomization under deploy/ points only at files that exist (or that a documented command
 * generates and git ignores), and kustomize really builds the base, the overlays and the example.
 */
class KustomizationsTest {

    private static final Path CERTS_COMMAND = DeployTree.OVERLAYS.resolve("certs-command");
    private static final Path NO_MATCH_CONDITIONS = DeployTree.OVERLAYS.resolve("no-match-conditions");
    private static final List<String> CERTS_COMMAND_OUTPUTS = List.of("certs/out/secret.yaml");

    static Stream<String> kustomizations() {
        return DeployTree.kustomizations().stream().map(DeployTree::relative);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void everyReferencedPathExistsOrIsGeneratedAndIgnoredByGit(String file) {
        Path kustomization = Path.of(file).toAbsolutePath();
        Path dir = kustomization.getParent();
        JsonNode doc = single(kustomization);

        assertThat(doc.path("kind").asText()).as(file).isIn("Kustomization", "Component");
        for (String ref : references(doc)) {
            assertThat(ref).as("%s: remote references would be fetched at build time", file).doesNotContain("://");
            Path target = dir.resolve(ref).normalize();
            if (Files.isDirectory(target)) {
                assertThat(target.resolve("kustomization.yaml")).as("%s: directory %s is a kustomization", file, ref).isRegularFile();
            } else if (!Files.isRegularFile(target)) {
                assertThat(ignoredByGit(dir, ref))
                        .as("%s: %s does not exist and is not a generated file its .gitignore excludes", file, ref)
                        .isTrue();
            }
        }
    }

    @Test
    void certsCommandOverlayUsesExactlyTheCertsCommandsOutputs() {
        JsonNode doc = single(CERTS_COMMAND.resolve("kustomization.yaml"));

        List<String> generated = references(doc).stream().filter(r -> r.startsWith("certs/")).toList();
        assertThat(generated).containsExactlyInAnyOrderElementsOf(CERTS_COMMAND_OUTPUTS);
        assertThat(references(doc)).contains("../../base");
        CERTS_COMMAND_OUTPUTS.forEach(out -> assertThat(ignoredByGit(CERTS_COMMAND, out)).as(out).isTrue());
    }

    @Test
    void baseBuildsWithTheWebhookInItsOwnNamespace() {
        List<HasMetadata> objects = KubernetesYaml.objects(Kustomize.build(DeployTree.BASE));

        assertThat(objects).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).containsExactlyInAnyOrder(
                "Namespace/first-ordinal", "ServiceAccount/first-ordinal", "ClusterRole/first-ordinal",
                "ClusterRoleBinding/first-ordinal", "ClusterRole/first-ordinal-repair", "ClusterRoleBinding/first-ordinal-repair",
                "Role/first-ordinal-repair", "RoleBinding/first-ordinal-repair", "Deployment/first-ordinal", "PodDisruptionBudget/first-ordinal",
                "Service/first-ordinal", "MutatingWebhookConfiguration/first-ordinal");
        Expectations.assertRepairRbac(KubernetesYaml.only(objects, io.fabric8.kubernetes.api.model.rbac.ClusterRole.class, "first-ordinal-repair"),
                KubernetesYaml.only(objects, io.fabric8.kubernetes.api.model.rbac.Role.class, "first-ordinal-repair"), "first-ordinal-repair");
        objects.stream().filter(o -> !(o instanceof Namespace) && !o.getKind().startsWith("Cluster") && !o.getKind().startsWith("Mutating"))
                .forEach(o -> assertThat(o.getMetadata().getNamespace()).as(o.getKind()).isEqualTo("first-ordinal"));
        objects.forEach(o -> assertThat(KubernetesYaml.unknownFields(o)).as(o.getKind()).isEmpty());
        Deployment deployment = KubernetesYaml.only(objects, Deployment.class);
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("first-ordinal:0.1.0");
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes().get(0).getSecret().getDefaultMode())
                .as("defaultMode 0440 (octal) survives kustomize").isEqualTo(0440);
    }

    @Test
    void certsCommandOverlayAddsTheSecretAndCopiesItsCaIntoTheCaBundle(@TempDir Path tmp) throws Exception {
        Path copy = copyDeployKubernetes(tmp);
        Path overlay = copy.resolve("overlays/certs-command");
        Secret written = runCertsCommand(overlay.resolve("certs/out"));

        List<HasMetadata> objects = KubernetesYaml.objects(Kustomize.build(overlay));

        Secret secret = KubernetesYaml.only(objects, Secret.class, "first-ordinal-tls");
        assertThat(secret.getMetadata().getNamespace()).isEqualTo("first-ordinal");
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).containsKeys("tls.crt", "tls.key", "ca.crt");
        MutatingWebhook webhook = KubernetesYaml.only(objects, MutatingWebhookConfiguration.class).getWebhooks().get(0);
        assertThat(webhook.getClientConfig().getCaBundle()).isEqualTo(written.getData().get("ca.crt"));
        assertThat(new String(Base64.getDecoder().decode(webhook.getClientConfig().getCaBundle()), StandardCharsets.US_ASCII))
                .startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(webhook.getMatchConditions()).as("the rest of the webhook is the base's").hasSize(1);
        assertThat(webhook.getClientConfig().getService().getName()).isEqualTo("first-ordinal");
    }

    @Test
    void certsCommandOverlayFailsLoudlyWithoutTheCaInTheSecret(@TempDir Path tmp) throws IOException {
        Path overlay = copyDeployKubernetes(tmp).resolve("overlays/certs-command");
        Files.createDirectories(overlay.resolve("certs/out"));
        Files.writeString(overlay.resolve("certs/out/secret.yaml"), """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: first-ordinal-tls
                  namespace: first-ordinal
                type: kubernetes.io/tls
                data:
                  tls.crt: QUJD
                  tls.key: QUJD
                """);

        assertThatThrownBy(() -> Kustomize.build(overlay)).hasMessageContaining("ca.crt");
    }

    @Test
    void noMatchConditionsComponentRemovesOnlyTheMatchConditions(@TempDir Path tmp) throws IOException {
        // An older cluster's own kustomization, as the component's comment shows.
        Path cluster = clusterWithComponent(tmp, "old-cluster", "base", "overlays/no-match-conditions");

        MutatingWebhook withConditions = KubernetesYaml.only(KubernetesYaml.objects(Kustomize.build(DeployTree.BASE)),
                MutatingWebhookConfiguration.class).getWebhooks().get(0);
        MutatingWebhook without = KubernetesYaml.only(KubernetesYaml.objects(Kustomize.build(cluster)),
                MutatingWebhookConfiguration.class).getWebhooks().get(0);

        assertThat(withConditions.getMatchConditions()).hasSize(1);
        assertThat(without.getMatchConditions()).isNullOrEmpty();
        withConditions.setMatchConditions(null);
        without.setMatchConditions(null);
        assertThat(without).isEqualTo(withConditions);
    }

    @Test
    void admissionOnlyComponentTurnsTheRepairerOffAndDropsItsGrant(@TempDir Path tmp) throws IOException {
        Path cluster = clusterWithComponent(tmp, "admission-only", "overlays/self-managed", "components/admission-only");

        List<HasMetadata> with = KubernetesYaml.objects(Kustomize.build(DeployTree.OVERLAYS.resolve("self-managed")));
        List<HasMetadata> without = KubernetesYaml.objects(Kustomize.build(cluster));

        assertThat(with).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).contains("ClusterRole/first-ordinal-repair");
        assertThat(without).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(with.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName())
                        .filter(id -> !id.endsWith("/first-ordinal-repair")).toList());
        assertThat(KubernetesYaml.only(without, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .extracting(e -> e.getName() + "=" + e.getValue()).contains("FIRST_ORDINAL_REPAIR_ENABLED=false");
    }

    @Test
    void scheduleHooksComponentSetsTheHookModeOnTheWebhook(@TempDir Path tmp) throws IOException {
        Path cluster = clusterWithComponent(tmp, "schedule-hooks", "overlays/self-managed", "components/schedule-hooks");

        List<HasMetadata> objects = KubernetesYaml.objects(Kustomize.build(cluster));

        assertThat(KubernetesYaml.only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .extracting(e -> e.getName() + "=" + e.getValue()).contains("FIRST_ORDINAL_HOOK_MODE=schedule");
    }

    /** A cluster's own kustomization {@code name}: {@code resource} of a copy of deploy/kubernetes with {@code component}. */
    private static Path clusterWithComponent(Path tmp, String name, String resource, String component) throws IOException {
        Path copy = copyDeployKubernetes(tmp);
        Path cluster = tmp.resolve(name);
        Files.createDirectories(cluster);
        Files.writeString(cluster.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - ../%1$s/%2$s
                components:
                  - ../%1$s/%3$s
                """.formatted(copy.getFileName(), resource, component));
        return cluster;
    }

    @Test
    void exampleBuildsIntoTheOptedInNamespace() {
        List<HasMetadata> objects = KubernetesYaml.objects(Kustomize.build(DeployTree.EXAMPLE));

        Namespace namespace = KubernetesYaml.only(objects, Namespace.class);
        assertThat(namespace.getMetadata().getLabels()).containsEntry("first-ordinal.dev/backup", "enabled");
        assertThat(KubernetesYaml.only(objects, StatefulSet.class).getMetadata().getNamespace()).isEqualTo(namespace.getMetadata().getName());
        objects.forEach(o -> assertThat(KubernetesYaml.unknownFields(o)).as(o.getKind()).isEmpty());
    }

    /**
     * The {@code certs} command's output in {@code out}: the real command when this build has it
     * ({@code dev.firstordinal.certs.CertsCommand}, {@code certs --out DIR}); until then the same
     * Secret built here, as that command writes it (kubernetes.io/tls with tls.crt, tls.key, ca.crt).
     */
    static Secret runCertsCommand(Path out) throws Exception {
        Class<?> command = certsCommandClass();
        if (command != null) {
            Object certs = command.getConstructor().newInstance();
            int exit = (int) command.getMethod("run", List.class).invoke(certs, List.of("--out", out.toString()));
            assertThat(exit).as("certs --out %s", out).isZero();
        } else {
            writeCertsCommandSecret(out);
        }
        return (Secret) KubernetesYaml.objects(out.resolve("secret.yaml")).get(0);
    }

    private static Class<?> certsCommandClass() {
        try {
            return Class.forName("dev.firstordinal.certs.CertsCommand");
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private static void writeCertsCommandSecret(Path out) throws IOException {
        CertificateIssuer issuer = new CertificateIssuer();
        IssuedCertificate ca = issuer.certificateAuthority("first-ordinal CA", Duration.ofDays(365), KeyType.EC_P256);
        IssuedCertificate serving = issuer.servingCertificate(ca, List.of("first-ordinal.first-ordinal.svc"), List.of(),
                Duration.ofDays(90), KeyType.EC_P256);
        Secret secret = new SecretBuilder()
                .withNewMetadata().withName("first-ordinal-tls").withNamespace("first-ordinal").endMetadata()
                .withType("kubernetes.io/tls")
                .withData(Map.of("tls.crt", base64(serving.certificatePem()), "tls.key", base64(serving.privateKeyPem()),
                        "ca.crt", base64(ca.certificatePem())))
                .build();
        Files.createDirectories(out);
        Files.writeString(out.resolve("secret.yaml"), KubernetesYaml.SERIALIZATION.asYaml(secret));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static Path copyDeployKubernetes(Path tmp) throws IOException {
        Path source = DeployTree.ROOT.resolve("kubernetes");
        Path target = tmp.resolve("kubernetes");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.toList()) {
                Path rel = source.relativize(p);
                if (rel.toString().startsWith("overlays/certs-command/certs")) {
                    continue; // a local run's real key material stays where it is
                }
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target.resolve(rel.toString()));
                } else {
                    Files.copy(p, target.resolve(rel.toString()));
                }
            }
        }
        return target;
    }

    private static JsonNode single(Path file) {
        List<JsonNode> docs = KubernetesYaml.documents(file);
        assertThat(docs).as(file.toString()).hasSize(1);
        return docs.get(0);
    }

    /** Local paths a kustomization reads: resources, components, patch files and generator files. */
    static List<String> references(JsonNode doc) {
        List<String> refs = new ArrayList<>();
        doc.path("resources").forEach(n -> refs.add(n.asText()));
        doc.path("components").forEach(n -> refs.add(n.asText()));
        doc.path("crds").forEach(n -> refs.add(n.asText()));
        doc.path("patchesStrategicMerge").forEach(n -> {
            if (!n.asText().contains("\n")) {
                refs.add(n.asText());
            }
        });
        doc.path("patches").forEach(n -> {
            if (n.hasNonNull("path")) {
                refs.add(n.get("path").asText());
            }
        });
        doc.path("patchesJson6902").forEach(n -> {
            if (n.hasNonNull("path")) {
                refs.add(n.get("path").asText());
            }
        });
        for (String generator : List.of("configMapGenerator", "secretGenerator")) {
            doc.path(generator).forEach(g -> {
                g.path("files").forEach(f -> refs.add(f.asText().contains("=") ? f.asText().substring(f.asText().indexOf('=') + 1) : f.asText()));
                g.path("envs").forEach(f -> refs.add(f.asText()));
            });
        }
        return refs;
    }

    /** Whether {@code ref} (relative to {@code dir}) falls under a directory pattern of {@code dir/.gitignore}. */
    private static boolean ignoredByGit(Path dir, String ref) {
        Path gitignore = dir.resolve(".gitignore");
        if (!Files.isRegularFile(gitignore)) {
            return false;
        }
        return DeployTree.read(gitignore).lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .anyMatch(pattern -> ref.equals(pattern) || (pattern.endsWith("/") && ref.startsWith(pattern)));
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"cert-manager", "self-managed"})
    void theOverlaysNamespaceLineMovesEveryNamespacedNameToIt(String overlay, @TempDir Path tmp) throws IOException {
        Path tree = tmp.resolve("kubernetes");
        try (Stream<Path> files = Files.walk(DeployTree.ROOT.resolve("kubernetes"))) {
            for (Path p : files.toList()) {
                Path dest = tree.resolve(DeployTree.ROOT.resolve("kubernetes").relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest);
                }
            }
        }
        Path kustomization = tree.resolve("overlays/" + overlay + "/kustomization.yaml");
        String text = Files.readString(kustomization);
        assertThat(text).containsOnlyOnce("\nnamespace: first-ordinal\n");
        Files.writeString(kustomization, text.replace("\nnamespace: first-ordinal\n", "\nnamespace: platform\n"));

        String yaml = Kustomize.build(tree.resolve("overlays/" + overlay));
        List<HasMetadata> objects = KubernetesYaml.objects(yaml);

        assertThat(yaml).as("no name left in the old namespace").doesNotContain("first-ordinal.first-ordinal", "first-ordinal/first-ordinal")
                .doesNotContainPattern("namespace: first-ordinal\\s");
        assertThat(KubernetesYaml.only(objects, Namespace.class).getMetadata().getName()).isEqualTo("platform");
        objects.stream().filter(o -> o.getMetadata().getNamespace() != null)
                .forEach(o -> assertThat(o.getMetadata().getNamespace()).as("%s %s", o.getKind(), o.getMetadata().getName()).isEqualTo("platform"));
        MutatingWebhookConfiguration configuration = KubernetesYaml.only(objects, MutatingWebhookConfiguration.class);
        Expectations.assertWebhookConfiguration(configuration, new Expectations.Webhook("first-ordinal", "platform",
                Expectations.OPT_IN_KEY, Expectations.OPT_IN_VALUE, List.of("kube-system", "platform"), "Ignore", 5, true));
        assertThat(Expectations.selects(configuration.getWebhooks().get(0), "first-ordinal", Map.of(Expectations.OPT_IN_KEY, Expectations.OPT_IN_VALUE)))
                .as("the old namespace is an ordinary one now").isTrue();
        objects.stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.rbac.RoleBinding || o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding)
                .flatMap(o -> (o instanceof io.fabric8.kubernetes.api.model.rbac.RoleBinding rb ? rb.getSubjects()
                        : ((io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding) o).getSubjects()).stream())
                .forEach(subject -> assertThat(subject.getNamespace()).isEqualTo("platform"));
        if (overlay.equals("cert-manager")) {
            assertThat(configuration.getMetadata().getAnnotations()).containsEntry("cert-manager.io/inject-ca-from", "platform/first-ordinal");
            JsonNode certificate = KubernetesYaml.documents(yaml).stream()
                    .filter(d -> d.path("kind").asText().equals("Certificate") && d.path("metadata").path("name").asText().equals("first-ordinal"))
                    .findFirst().orElseThrow();
            List<String> dnsNames = new ArrayList<>();
            certificate.path("spec").path("dnsNames").forEach(n -> dnsNames.add(n.asText()));
            assertThat(dnsNames).containsExactly("first-ordinal", "first-ordinal.platform", "first-ordinal.platform.svc", "first-ordinal.platform.svc.cluster.local");
        }
    }

    @ParameterizedTest(name = "namespace {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"first-ordinal", "platform"})
    void operateComponentsAddMonitoringNetworkPolicyAndAuditInTheWebhooksNamespace(String namespace, @TempDir Path tmp) throws IOException {
        Path copy = copyDeployKubernetes(tmp);
        Path overlay = copy.resolve("overlays/self-managed/kustomization.yaml");
        Files.writeString(overlay, Files.readString(overlay).replace("\nnamespace: first-ordinal\n", "\nnamespace: " + namespace + "\n"));
        Path cluster = tmp.resolve("my-cluster");
        Files.createDirectories(cluster);
        Files.writeString(cluster.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - ../%1$s/overlays/self-managed
                components:
                  - ../%1$s/components/monitoring
                  - ../%1$s/components/network-policy
                  - ../%1$s/components/audit
                """.formatted(copy.getFileName()));

        String yaml = Kustomize.build(cluster);
        List<HasMetadata> objects = KubernetesYaml.objects(yaml);
        objects.forEach(o -> assertThat(KubernetesYaml.unknownFields(o)).as("%s %s", o.getKind(), o.getMetadata().getName()).isEmpty());
        objects.stream().filter(o -> o.getMetadata().getNamespace() != null)
                .forEach(o -> assertThat(o.getMetadata().getNamespace()).as("%s %s", o.getKind(), o.getMetadata().getName()).isEqualTo(namespace));
        Deployment deployment = KubernetesYaml.only(objects, Deployment.class);
        var service = KubernetesYaml.only(objects, io.fabric8.kubernetes.api.model.Service.class);
        Expectations.assertServiceReachesHttps(service, deployment);

        var monitor = objects.stream().filter(o -> o.getKind().equals("ServiceMonitor")).map(io.fabric8.kubernetes.api.model.GenericKubernetesResource.class::cast)
                .findFirst().orElseThrow();
        assertThat(LabelSelectors.matches(new io.fabric8.kubernetes.api.model.LabelSelector(null, monitor.<Map<String, String>>get("spec", "selector", "matchLabels")),
                service.getMetadata().getLabels())).as("the ServiceMonitor selects the Service").isTrue();
        List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
        assertThat(endpoints).singleElement().satisfies(e -> assertThat(e).containsEntry("port", "management").containsEntry("path", "/q/metrics"));
        var rule = objects.stream().filter(o -> o.getKind().equals("PrometheusRule")).map(io.fabric8.kubernetes.api.model.GenericKubernetesResource.class::cast)
                .findFirst().orElseThrow();
        List<Map<String, Object>> groups = rule.get("spec", "groups");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rules = (List<Map<String, Object>>) groups.get(0).get("rules");
        assertThat(rules).extracting(r -> (String) r.get("alert")).containsExactlyInAnyOrder("FirstOrdinalShardUncovered", "FirstOrdinalShardOvercovered",
                "FirstOrdinalCertificateExpiresSoon", "FirstOrdinalFallbackAnswers", "FirstOrdinalWebhookDown");
        assertThat(rules).allSatisfy(r -> assertThat((String) r.get("expr")).contains("service=\"" + service.getMetadata().getName() + "\""));

        var policy = KubernetesYaml.only(objects, io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
        assertThat(LabelSelectors.matches(policy.getSpec().getPodSelector(), deployment.getSpec().getTemplate().getMetadata().getLabels())).isTrue();
        var ports = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts();
        assertThat(policy.getSpec().getIngress()).flatExtracting(r -> r.getPorts())
                .extracting(p -> ports.stream().filter(c -> c.getName().equals(p.getPort().getStrVal())).findFirst().orElseThrow().getContainerPort())
                .containsExactlyInAnyOrder(8443, 9000);

        var cronJob = KubernetesYaml.only(objects, io.fabric8.kubernetes.api.model.batch.v1.CronJob.class);
        var auditPod = cronJob.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        assertThat(cronJob.getSpec().getJobTemplate().getSpec().getBackoffLimit()).isZero();
        var audit = auditPod.getContainers().get(0);
        var webhook = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(audit.getArgs()).containsExactly("audit");
        assertThat(audit.getImage()).as("the base's image tag reaches the CronJob").isEqualTo(webhook.getImage()).contains(":");
        for (String name : List.of("FIRST_ORDINAL_LABEL_KEY", "FIRST_ORDINAL_LABEL_VALUE", "FIRST_ORDINAL_HOOK_ON_ERROR",
                "FIRST_ORDINAL_HOOK_TIMEOUT", "FIRST_ORDINAL_NAMESPACE_LABEL")) {
            assertThat(audit.getEnv()).filteredOn(e -> e.getName().equals(name)).singleElement().satisfies(e ->
                    assertThat(e.getValue()).isEqualTo(webhook.getEnv().stream().filter(w -> w.getName().equals(name)).findFirst().orElseThrow().getValue()));
        }
        var role = KubernetesYaml.only(objects, io.fabric8.kubernetes.api.model.rbac.ClusterRole.class, "first-ordinal-audit");
        Expectations.assertNoWildcards(role);
        assertThat(Expectations.verbsByResource(role.getRules())).isEqualTo(Map.of(
                "/namespaces", java.util.Set.of("list"), "/pods", java.util.Set.of("list"),
                "/persistentvolumeclaims", java.util.Set.of("list"), "apps/statefulsets", java.util.Set.of("list")));
        var binding = KubernetesYaml.only(objects, io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding.class, "first-ordinal-audit");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(auditPod.getServiceAccountName());
            assertThat(s.getNamespace()).isEqualTo(namespace);
        });
    }
}

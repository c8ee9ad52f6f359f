package dev.firstordinal.e2e;

import com.marcnuri.helm.Helm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every shipped manifest is accepted by the real API server: its OpenAPI validation (strict field
 * validation: an unknown or misspelt field fails), its CEL compiler for the webhook's
 * matchConditions, RBAC's escalation checks, and the cert-manager and Velero CRD schemas as those
 * projects publish them. {@code --dry-run=server} runs all of that and stores nothing.
 */
@Tag("real-cluster")
class InstallClusterIT {

    private static ControlPlane cluster;
    private static Path deploy;

    @BeforeAll
    static void freshClusterWithTheCrds() throws Exception {
        cluster = ControlPlane.start("install");
        deploy = ClusterWebhook.copyDeployTree(cluster.dir().resolve("deploy"));
        for (String crds : new String[] {"FIRST_ORDINAL_E2E_CERT_MANAGER_CRDS", "FIRST_ORDINAL_E2E_VELERO_CRDS"}) {
            cluster.kubectl(null, "apply", "--server-side", "-f", cluster.setting(crds)).orThrow();
        }
        cluster.kubectl(null, "wait", "--for=condition=Established", "--timeout=60s",
                "crd/certificates.cert-manager.io", "crd/issuers.cert-manager.io", "crd/schedules.velero.io").orThrow();
        // Installed for real, exactly as the overlay's comment says (service clientConfig, caBundle from ca.crt).
        Path out = deploy.resolve("kubernetes/overlays/certs-command/certs/out");
        JarCommand.run(cluster.kubeconfig(), Map.of(), "certs", "--out", out.toString()).orThrow();
        cluster.kubectl(null, "apply", "-k", deploy.resolve("kubernetes/overlays/certs-command").toString()).orThrow();
        cluster.kubectl(null, "create", "namespace", "velero").orThrow();
    }

    @AfterAll
    static void stopTheCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Command dryRun(String manifests) {
        // --force-conflicts: the certs-command install owns the same objects; ownership is not what is checked here.
        return cluster.kubectl(manifests, "apply", "--server-side", "--force-conflicts", "--dry-run=server", "--validate=strict",
                "--field-manager=first-ordinal-e2e", "-f", "-");
    }

    private static String kustomize(Path dir) {
        return cluster.kubectl(null, "kustomize", dir.toString()).orThrow().stdout();
    }

    /**
     * A server-side dry run of a namespaced object needs its namespace to exist (the dry run stores
     * nothing, not even a Namespace in the same file): every namespace the manifests name is created first.
     */
    private static void assertAccepted(String what, String manifests) {
        java.util.regex.Matcher names = java.util.regex.Pattern.compile("(?m)^\\s+namespace: \"?([a-z0-9-]+)\"?\\s*$").matcher(manifests);
        java.util.Set<String> namespaces = new java.util.TreeSet<>();
        while (names.find()) {
            namespaces.add(names.group(1));
        }
        java.util.regex.Matcher declared = java.util.regex.Pattern.compile("(?m)^kind: Namespace\\s*\\nmetadata:\\s*\\n(?:\\s+.*\\n)*?\\s+name: ([a-z0-9-]+)")
                .matcher(manifests);
        while (declared.find()) {
            namespaces.add(declared.group(1));
        }
        for (String namespace : namespaces) {
            cluster.kubectl("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + namespace + "\"}}",
                    "apply", "--server-side", "-f", "-").orThrow();
        }
        Command result = dryRun(manifests);
        assertThat(result.exitCode()).as("%s rejected by the API server:\n%s", what, result.stderr()).isZero();
        assertThat(result.stdout()).as(what).contains("(server dry run)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"kubernetes/base", "kubernetes/overlays/cert-manager", "kubernetes/overlays/self-managed",
            "labeller/example", "examples/redis-sentinel"})
    void kustomizationIsAcceptedByTheApiServer(String dir) {
        assertAccepted(dir, kustomize(deploy.resolve(dir)));
    }

    @Test
    void theNoMatchConditionsComponentComposesWithTheBaseAndIsAccepted() throws Exception {
        Path overlay = deploy.resolve("kubernetes/overlays/e2e-no-match-conditions");
        Files.createDirectories(overlay);
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources: [../../base]
                components: [../no-match-conditions]
                """);
        String manifests = kustomize(overlay);
        assertThat(manifests).doesNotContain("matchConditions");
        assertAccepted("base + no-match-conditions", manifests);
    }

    @Test
    void theCertsCommandOverlayIsAppliedForRealWithTheSecretsCaAsCaBundle() {
        String caBundle = cluster.kubectl(null, "get", "mutatingwebhookconfiguration", "first-ordinal",
                "-o", "jsonpath={.webhooks[0].clientConfig.caBundle}").orThrow().stdout();
        String secretCa = cluster.kubectl(null, "get", "secret", "first-ordinal-tls", "-n", "first-ordinal",
                "-o", "jsonpath={.data.ca\\.crt}").orThrow().stdout();
        assertThat(caBundle).isNotEmpty().isEqualTo(secretCa);
        String service = cluster.kubectl(null, "get", "mutatingwebhookconfiguration", "first-ordinal",
                "-o", "jsonpath={.webhooks[0].clientConfig.service.name}.{.webhooks[0].clientConfig.service.namespace}").orThrow().stdout();
        assertThat(service).isEqualTo("first-ordinal.first-ordinal");
    }

    /** Every values file in the chart's ci/ directory (what chart-testing installs), so a new one is covered without a change here. */
    static Stream<String> ciValuesFiles() throws java.io.IOException {
        try (Stream<Path> files = Files.list(Path.of("deploy/helm/first-ordinal/ci"))) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("ciValuesFiles")
    void helmChartRenderedWithEachCiValuesFileIsAccepted(String values) {
        String version = cluster.admin().getKubernetesVersion().getGitVersion();
        // A release of its own: the certs-command install already owns the kustomize names (a Deployment's selector is immutable).
        String manifests = new Helm(deploy.resolve("helm/first-ordinal")).template().withName("fo-helm")
                .withNamespace("fo-helm").withKubeVersion(version).withValuesFile(deploy.resolve("helm/first-ordinal/ci/" + values))
                .call();
        assertAccepted("helm template -f ci/" + values, manifests);
    }

    @Test
    void theLabellerComponentAndTheVeleroScheduleAreAccepted() throws Exception {
        assertAccepted("deploy/velero/schedule.yaml", Files.readString(deploy.resolve("velero/schedule.yaml")));
        assertAccepted("labeller/example", kustomize(deploy.resolve("labeller/example")));
    }

    @Test
    void aTypoInTheMatchConditionsCelExpressionIsRejected() {
        String manifests = kustomize(deploy.resolve("kubernetes/base"));
        assertThat(manifests).contains("o.kind == 'StatefulSet'");
        // A syntax typo (`=` for `==`). A misspelt field (o.knd) compiles: `object` is dynamically typed in
        // matchConditions, so that is caught only when evaluated (MatchConditionTest evaluates the shipped expression).
        Command result = dryRun(manifests.replace("o.kind == 'StatefulSet'", "o.kind = 'StatefulSet'"));
        assertThat(result.exitCode()).as("a CEL typo must be refused").isNotZero();
        assertThat(result.stderr()).contains("matchConditions").containsIgnoringCase("compil");
    }

    @Test
    void aMisspeltFieldInAShippedManifestIsRejected() throws Exception {
        String schedule = Files.readString(deploy.resolve("velero/schedule.yaml"));
        assertThat(schedule).contains("includedNamespaces");
        Command result = dryRun(schedule.replace("includedNamespaces", "includeNamespaces"));
        assertThat(result.exitCode()).as("strict validation must refuse an unknown field").isNotZero();
        assertThat(result.stderr()).contains("includeNamespaces");
    }

    /** helm template leaves hooks out of its output: a copy of the chart whose hooks are plain manifests shows them to the API server. */
    @Test
    void theChartsTestPodAndPreDeleteHookAreAccepted() throws Exception {
        Path source = deploy.resolve("helm/first-ordinal");
        Path chart = cluster.dir().resolve("chart-hooks-as-manifests/first-ordinal");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.toList()) {
                Path dest = chart.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.writeString(dest, Files.readString(p).replace("helm.sh/hook", "hook.first-ordinal.dev/helm"));
                }
            }
        }
        String version = cluster.admin().getKubernetesVersion().getGitVersion();
        String manifests = new Helm(chart).template().withName("fo-hooks").withNamespace("fo-helm").withKubeVersion(version).call();
        assertThat(manifests).contains("kind: Pod\n", "kind: Job\n", "hook.first-ordinal.dev/helm: pre-delete", "hook.first-ordinal.dev/helm: test");
        // A Pod (unlike a Deployment's template) is admitted only when its ServiceAccount exists: make that one for real.
        for (String object : new String[] {
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"fo-helm\"}}",
                "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"fo-hooks-first-ordinal-test\",\"namespace\":\"fo-helm\"}}"}) {
            cluster.kubectl(object, "apply", "--server-side", "-f", "-").orThrow();
        }
        assertAccepted("the chart's hooks", manifests);
    }

    @Test
    void theNetworkPolicyAndAuditComponentsComposeWithAnOverlayAndAreAccepted() throws Exception {
        // The monitoring component needs the Prometheus Operator's CRDs, not installed here (KustomizationsTest renders it).
        String manifests = selfManagedWith("e2e-operate", "../components/network-policy, ../components/audit");
        assertThat(manifests).contains("kind: NetworkPolicy", "kind: CronJob");
        assertAccepted("self-managed + network-policy + audit", manifests);
    }

    @Test
    void theAdmissionOnlyComponentComposesWithAnOverlayAndIsAccepted() throws Exception {
        String manifests = selfManagedWith("e2e-admission-only", "../components/admission-only");
        assertThat(manifests).contains("FIRST_ORDINAL_REPAIR_ENABLED").doesNotContain("first-ordinal-repair");
        assertAccepted("self-managed + admission-only", manifests);
    }

    /** The self-managed overlay with {@code components} (a YAML flow list's items), rendered by a kustomization {@code name}. */
    private static String selfManagedWith(String name, String components) throws Exception {
        Path overlay = deploy.resolve("kubernetes/" + name);
        Files.createDirectories(overlay);
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources: [../overlays/self-managed]
                components: [%s]
                """.formatted(components));
        return kustomize(overlay);
    }
}

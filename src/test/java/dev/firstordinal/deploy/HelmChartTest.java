package dev.firstordinal.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * The Helm chart, linted and rendered by real Helm (helm-java bundles Helm's native library). Each
 * render is parsed strictly into fabric8 objects and asserted against the values that made it.
 */
class HelmChartTest {

    /** helm-java's embedded Helm defaults to Kubernetes v1.20, below the chart's kubeVersion: pass a real one. */
    private static final String KUBE_VERSION = "1.30.0";
    private static final Path CI = DeployTree.CHART.resolve("ci");

    private static TemplateCommand template(String release, String namespace) {
        return new Helm(DeployTree.CHART).template().withName(release).withNamespace(namespace).withKubeVersion(KUBE_VERSION);
    }

    private static List<HasMetadata> render(TemplateCommand command) {
        List<HasMetadata> objects = KubernetesYaml.objects(command.call());
        objects.forEach(o -> assertThat(KubernetesYaml.unknownFields(o)).as("%s %s", o.getKind(), o.getMetadata().getName()).isEmpty());
        objects.stream().filter(o -> o instanceof Role || o instanceof ClusterRole).forEach(Expectations::assertNoWildcards);
        return objects;
    }

    /** Objects of the release itself, without Helm hooks (test and pre-delete). */
    private static List<HasMetadata> release(List<HasMetadata> objects) {
        return objects.stream().filter(o -> o.getMetadata().getAnnotations() == null
                || !o.getMetadata().getAnnotations().containsKey("helm.sh/hook")).toList();
    }

    private static List<HasMetadata> renderDefaults() {
        return render(template("first-ordinal", "first-ordinal"));
    }

    @Test
    void chartPassesStrictLint() {
        LintResult lint = new Helm(DeployTree.CHART).lint().strict().call();

        assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void strictLintFailsForABrokenTemplate(@TempDir Path tmp) throws IOException {
        Path chart = copyChart(tmp);
        Files.writeString(chart.resolve("templates/service.yaml"), "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.nope.missing }}\n");

        LintResult lint = new Helm(chart).lint().strict().call();

        assertThat(lint.isFailed()).isTrue();
        assertThat(lint.getMessages()).anyMatch(m -> m.contains("[ERROR]") && m.contains("service.yaml"));
    }

    @Test
    void defaultsRenderTheSelfManagedOverlaysWebhookDeploymentAndRbac() {
        List<HasMetadata> helm = renderDefaults();
        List<HasMetadata> overlay = KubernetesYaml.objects(Kustomize.build(DeployTree.OVERLAYS.resolve("self-managed")));

        assertThat(release(helm)).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).containsExactlyInAnyOrder(
                "ServiceAccount/first-ordinal", "ClusterRole/first-ordinal", "ClusterRoleBinding/first-ordinal",
                "Role/first-ordinal-tls", "RoleBinding/first-ordinal-tls",
                "ClusterRole/first-ordinal-webhook-cabundle", "ClusterRoleBinding/first-ordinal-webhook-cabundle",
                "ClusterRole/first-ordinal-repair", "ClusterRoleBinding/first-ordinal-repair", "Role/first-ordinal-repair",
                "RoleBinding/first-ordinal-repair",
                "Deployment/first-ordinal", "PodDisruptionBudget/first-ordinal", "Service/first-ordinal",
                "MutatingWebhookConfiguration/first-ordinal");
        assertThat(helm).noneMatch(o -> o instanceof GenericKubernetesResource);

        MutatingWebhookConfiguration webhook = KubernetesYaml.only(helm, MutatingWebhookConfiguration.class);
        Expectations.assertWebhookConfiguration(webhook, Expectations.Webhook.defaults());
        assertThat(webhook.getWebhooks()).isEqualTo(KubernetesYaml.only(overlay, MutatingWebhookConfiguration.class).getWebhooks());
        assertThat(webhook.getWebhooks().get(0).getClientConfig().getCaBundle()).as("the webhook writes it").isNull();
        assertThat(webhook.getMetadata().getAnnotations()).isNullOrEmpty();

        Deployment deployment = KubernetesYaml.only(helm, Deployment.class);
        Deployment overlayDeployment = KubernetesYaml.only(overlay, Deployment.class);
        Expectations.assertSecureDeployment(deployment, new Expectations.Workload("first-ordinal", "first-ordinal", "first-ordinal", 2, null));
        Container helmContainer = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        Container overlayContainer = overlayDeployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(helmContainer.getImage()).isEqualTo(overlayContainer.getImage());
        assertThat(helmContainer).usingRecursiveComparison().ignoringFields("image", "env").isEqualTo(overlayContainer);
        assertThat(helmContainer.getEnv()).containsAll(overlayContainer.getEnv());
        assertThat(helmContainer.getEnv()).extracting(EnvVar::getName, EnvVar::getValue).contains(
                tuple("FIRST_ORDINAL_TLS_SECRET_NAME", "first-ordinal-tls"),
                tuple("FIRST_ORDINAL_TLS_LEASE_NAME", "first-ordinal-tls"),
                tuple("FIRST_ORDINAL_TLS_WEBHOOK_CONFIGURATION", "first-ordinal"),
                tuple("FIRST_ORDINAL_TLS_SERVICE", "first-ordinal"));
        assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext())
                .isEqualTo(overlayDeployment.getSpec().getTemplate().getSpec().getSecurityContext());
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes()).isEqualTo(overlayDeployment.getSpec().getTemplate().getSpec().getVolumes());

        Expectations.assertWebhookRbac(KubernetesYaml.only(helm, ClusterRole.class, "first-ordinal"));
        assertThat(KubernetesYaml.only(helm, ClusterRoleBinding.class, "first-ordinal").getSubjects())
                .isEqualTo(KubernetesYaml.only(overlay, ClusterRoleBinding.class, "first-ordinal").getSubjects());
        Expectations.assertRepairRbac(KubernetesYaml.only(helm, ClusterRole.class, "first-ordinal-repair"),
                KubernetesYaml.only(helm, Role.class, "first-ordinal-repair"), "first-ordinal-repair");
        assertThat(KubernetesYaml.only(helm, ClusterRole.class, "first-ordinal-repair").getRules())
                .isEqualTo(KubernetesYaml.only(overlay, ClusterRole.class, "first-ordinal-repair").getRules());
        assertThat(KubernetesYaml.only(helm, ClusterRoleBinding.class, "first-ordinal-repair").getSubjects())
                .isEqualTo(KubernetesYaml.only(overlay, ClusterRoleBinding.class, "first-ordinal-repair").getSubjects());
        assertThat(helmContainer.getEnv()).extracting(EnvVar::getName, EnvVar::getValue).contains(
                tuple("FIRST_ORDINAL_REPAIR_ENABLED", "true"),
                tuple("FIRST_ORDINAL_REPAIR_LEASE_NAME", "first-ordinal-repair"),
                tuple("FIRST_ORDINAL_REPAIR_EXCLUDED_NAMESPACES", "kube-system"));
        Expectations.assertServiceReachesHttps(KubernetesYaml.only(helm, Service.class), deployment);
        Expectations.assertBudgetKeepsOneReplica(KubernetesYaml.only(helm, PodDisruptionBudget.class), deployment, 1);
        assertThat(helm).noneMatch(o -> o instanceof Namespace);
    }

    @Test
    void selfManagedRbacIsTheOverlaysForTheReleasesOwnNames() {
        List<HasMetadata> overlay = KubernetesYaml.objects(Kustomize.build(DeployTree.OVERLAYS.resolve("self-managed")));
        List<HasMetadata> helm = renderDefaults();

        assertThat(Expectations.verbsByResource(KubernetesYaml.only(helm, Role.class, "first-ordinal-tls").getRules()))
                .isEqualTo(Expectations.verbsByResource(KubernetesYaml.only(overlay, Role.class, "first-ordinal-tls").getRules()));
        assertThat(KubernetesYaml.only(helm, Role.class, "first-ordinal-tls").getRules())
                .isEqualTo(KubernetesYaml.only(overlay, Role.class, "first-ordinal-tls").getRules());
        assertThat(KubernetesYaml.only(helm, ClusterRole.class, "first-ordinal-webhook-cabundle").getRules())
                .isEqualTo(KubernetesYaml.only(overlay, ClusterRole.class, "first-ordinal-webhook-cabundle").getRules());

        List<HasMetadata> other = render(template("fo", "platform").set("tls.secretName", "fo-serving"));
        Role role = KubernetesYaml.only(other, Role.class, "fo-first-ordinal-tls");
        assertThat(role.getMetadata().getNamespace()).isEqualTo("platform");
        assertThat(role.getRules()).filteredOn(r -> r.getResourceNames() != null && !r.getResourceNames().isEmpty())
                .allSatisfy(r -> assertThat(r.getResourceNames()).containsExactly("fo-serving"));
        assertThat(KubernetesYaml.only(other, ClusterRole.class, "fo-first-ordinal-webhook-cabundle").getRules()).singleElement()
                .satisfies(r -> assertThat(r.getResourceNames()).containsExactly("fo-first-ordinal"));
        assertThat(KubernetesYaml.only(other, RoleBinding.class, "fo-first-ordinal-tls").getSubjects()).singleElement()
                .satisfies(s -> assertThat(s.getName() + "@" + s.getNamespace()).isEqualTo("fo-first-ordinal@platform"));
        Container container = KubernetesYaml.only(other, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getEnv()).extracting(EnvVar::getName, EnvVar::getValue).contains(
                tuple("FIRST_ORDINAL_TLS_SECRET_NAME", "fo-serving"),
                tuple("FIRST_ORDINAL_TLS_WEBHOOK_CONFIGURATION", "fo-first-ordinal"),
                tuple("FIRST_ORDINAL_TLS_SERVICE", "fo-first-ordinal"));

        for (String values : List.of("cert-manager-values.yaml", "secret-values.yaml")) {
            List<HasMetadata> objects = render(template("first-ordinal", "first-ordinal").withValuesFile(CI.resolve(values)));
            assertThat(objects).as(values).noneMatch(o -> o.getMetadata().getName().endsWith("-tls") && (o instanceof Role || o instanceof RoleBinding));
            assertThat(objects).as(values).noneMatch(o -> o.getMetadata().getName().endsWith("-webhook-cabundle"));
            assertThat(KubernetesYaml.only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                    .as(values).noneMatch(e -> e.getName().equals("FIRST_ORDINAL_TLS_MODE"));
        }
    }

    @Test
    void certManagerModeIssuesTheServingCertificateForTheServiceName() {
        List<HasMetadata> helm = render(template("first-ordinal", "first-ordinal").withValuesFile(CI.resolve("cert-manager-values.yaml")));
        Expectations.assertSecureDeployment(KubernetesYaml.only(helm, Deployment.class), Expectations.Workload.defaults());
        assertThat(KubernetesYaml.only(helm, MutatingWebhookConfiguration.class).getMetadata().getAnnotations())
                .containsEntry("cert-manager.io/inject-ca-from", "first-ordinal/first-ordinal");

        GenericKubernetesResource certificate = certManager(helm, "Certificate", "first-ordinal");
        assertThat(certificate.<Object>get("spec", "secretName")).isEqualTo("first-ordinal-tls");
        assertThat(certificate.<List<Object>>get("spec", "dnsNames")).contains("first-ordinal.first-ordinal.svc");
        assertThat(certificate.<Map<String, Object>>get("spec", "issuerRef"))
                .containsEntry("name", "first-ordinal-ca").containsEntry("kind", "Issuer");
        assertThat(certificate.<Map<String, Object>>get("spec", "privateKey")).containsEntry("rotationPolicy", "Always");
        GenericKubernetesResource ca = certManager(helm, "Certificate", "first-ordinal-ca");
        assertThat(ca.<Object>get("spec", "isCA")).isEqualTo(true);
        assertThat(ca.<Map<String, Object>>get("spec", "privateKey")).as("cert-manager 1.18 defaults to Always: the CA key would rotate")
                .containsEntry("rotationPolicy", "Never");
        assertThat(certManager(helm, "Issuer", "first-ordinal-ca").<Object>get("spec", "ca", "secretName")).isEqualTo("first-ordinal-ca");
        assertThat(certManager(helm, "Issuer", "first-ordinal-selfsigned").<Object>get("spec", "selfSigned")).isNotNull();
    }

    @Test
    void clusterIssuerValuesUseItAndCreateNoCaOfTheirOwn() {
        List<HasMetadata> helm = render(template("first-ordinal", "first-ordinal").withValuesFile(CI.resolve("cert-manager-cluster-issuer-values.yaml")));

        assertThat(helm).filteredOn(o -> o instanceof GenericKubernetesResource).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactly("Certificate/first-ordinal");
        GenericKubernetesResource certificate = certManager(helm, "Certificate", "first-ordinal");
        assertThat(certificate.<Map<String, Object>>get("spec", "issuerRef"))
                .containsEntry("name", "corp-ca").containsEntry("kind", "ClusterIssuer").containsEntry("group", "cert-manager.io");
        assertThat(certificate.<Object>get("spec", "duration")).isEqualTo("720h");
        assertThat(certificate.<Object>get("spec", "renewBefore")).isEqualTo("240h");
    }

    @Test
    void secretValuesSetEveryKnobTheChartOffers() {
        List<HasMetadata> helm = render(template("first-ordinal", "first-ordinal").withValuesFile(CI.resolve("secret-values.yaml")));

        MutatingWebhookConfiguration configuration = KubernetesYaml.only(helm, MutatingWebhookConfiguration.class);
        Expectations.assertWebhookConfiguration(configuration, new Expectations.Webhook("first-ordinal", "first-ordinal",
                "backup.example.com/redis", "on", List.of("kube-system", "monitoring", "first-ordinal"), "Fail", 3, false));
        MutatingWebhook webhook = configuration.getWebhooks().get(0);
        assertThat(webhook.getClientConfig().getCaBundle()).startsWith("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t");
        assertThat(configuration.getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(helm).noneMatch(o -> o instanceof GenericKubernetesResource);

        Deployment deployment = KubernetesYaml.only(helm, Deployment.class);
        Expectations.assertSecureDeployment(deployment, new Expectations.Workload("first-ordinal", "first-ordinal", "first-ordinal", 3, "first-ordinal-serving"));
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("registry.example/platform/first-ordinal:0.2.0");
        assertThat(container.getImagePullPolicy()).isEqualTo("Always");
        assertThat(container.getEnv()).extracting(EnvVar::getName, EnvVar::getValue).contains(
                tuple("FIRST_ORDINAL_LABEL_KEY", "backup.example.com/schedule"),
                tuple("FIRST_ORDINAL_LABEL_VALUE", "redis-hourly"),
                tuple("FIRST_ORDINAL_HOOK_ON_ERROR", "Continue"),
                tuple("FIRST_ORDINAL_HOOK_TIMEOUT", "10m"));
        assertThat(container.getResources().getRequests()).containsEntry("cpu", new Quantity("50m")).containsEntry("memory", new Quantity("160Mi"));
        assertThat(container.getResources().getLimits()).containsEntry("cpu", new Quantity("500m")).containsEntry("memory", new Quantity("320Mi"));
        var antiAffinity = deployment.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity();
        assertThat(antiAffinity.getRequiredDuringSchedulingIgnoredDuringExecution()).as("hard anti-affinity").hasSize(1);
        assertThat(antiAffinity.getPreferredDuringSchedulingIgnoredDuringExecution()).isEmpty();
        Expectations.assertBudgetKeepsOneReplica(KubernetesYaml.only(helm, PodDisruptionBudget.class), deployment, 2);
    }

    @Test
    void labellerRbacGrantsPodsGetPatchAndStatefulSetsGetInEachListedNamespace() {
        List<HasMetadata> helm = render(template("first-ordinal", "first-ordinal").withValuesFile(CI.resolve("secret-values.yaml")));

        for (String namespace : List.of("redis", "cache")) {
            Role role = inNamespace(helm, Role.class, namespace);
            assertThat(role.getMetadata().getName()).isEqualTo("first-ordinal-labeller");
            assertThat(Expectations.verbsByResource(role.getRules())).isEqualTo(Map.of(
                    "/pods", Set.of("get", "patch"),
                    "apps/statefulsets", Set.of("get")));
            ServiceAccount account = inNamespace(helm, ServiceAccount.class, namespace);
            RoleBinding binding = inNamespace(helm, RoleBinding.class, namespace);
            assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
            assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
            assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
                assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
                assertThat(s.getNamespace()).isEqualTo(namespace);
            });
        }
        assertThat(KubernetesYaml.all(release(helm), Role.class)).extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
                .containsExactlyInAnyOrder("redis/first-ordinal-labeller", "cache/first-ordinal-labeller", "first-ordinal/first-ordinal-repair");
    }

    @Test
    void labellerRbacIsOffByDefault() {
        List<HasMetadata> release = release(renderDefaults());
        assertThat(release).noneMatch(o -> "labeller".equals(o.getMetadata().getLabels().get("app.kubernetes.io/component")));
        assertThat(KubernetesYaml.all(release, ServiceAccount.class)).hasSize(1);
    }

    @Test
    void repairOffRendersNoPodPatchGrantAndTurnsTheRepairerOff() {
        List<HasMetadata> helm = render(template("first-ordinal", "first-ordinal").set("repair.enabled", "false"));

        assertThat(helm).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).noneMatch(id -> id.contains("repair"));
        assertThat(helm).filteredOn(o -> o instanceof ClusterRole || o instanceof Role)
                .flatMap(o -> o instanceof ClusterRole c ? c.getRules() : ((Role) o).getRules())
                .noneMatch(rule -> rule.getResources().contains("pods") && rule.getVerbs().contains("patch"));
        assertThat(container(helm).getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                .contains(tuple("FIRST_ORDINAL_REPAIR_ENABLED", "false"))
                .noneMatch(t -> t.toList().get(0).equals("FIRST_ORDINAL_REPAIR_LEASE_NAME"));
    }

    @Test
    void releaseInAnotherNamespaceNamesAndExcludesThatNamespace() {
        List<HasMetadata> helm = render(template("fo", "platform").set("tls.mode", "cert-manager"));

        MutatingWebhookConfiguration configuration = KubernetesYaml.only(helm, MutatingWebhookConfiguration.class);
        Expectations.assertWebhookConfiguration(configuration, new Expectations.Webhook("fo-first-ordinal", "platform",
                Expectations.OPT_IN_KEY, Expectations.OPT_IN_VALUE, List.of("kube-system", "platform"), "Ignore", 5, true));
        assertThat(configuration.getMetadata().getAnnotations()).containsEntry("cert-manager.io/inject-ca-from", "platform/fo-first-ordinal");
        Deployment deployment = KubernetesYaml.only(helm, Deployment.class);
        Expectations.assertSecureDeployment(deployment, new Expectations.Workload("fo-first-ordinal", "platform", "fo-first-ordinal", 2, "first-ordinal-tls"));
        for (String binding : List.of("fo-first-ordinal", "fo-first-ordinal-repair")) {
            assertThat(KubernetesYaml.only(helm, ClusterRoleBinding.class, binding).getSubjects()).singleElement()
                    .satisfies(s -> assertThat(s.getNamespace()).isEqualTo("platform"));
        }
        assertThat(KubernetesYaml.only(helm, Role.class, "fo-first-ordinal-repair").getMetadata().getNamespace()).isEqualTo("platform");
        assertThat(certManager(helm, "Certificate", "fo-first-ordinal").<List<Object>>get("spec", "dnsNames")).contains("fo-first-ordinal.platform.svc");
    }

    static Stream<String> ciValuesFiles() throws IOException {
        try (Stream<Path> files = Files.list(CI)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciValuesFiles")
    void everyCiValuesFileRendersStrictlyValidObjects(String valuesFile) {
        List<HasMetadata> helm = render(template("first-ordinal", "first-ordinal").withValuesFile(CI.resolve(valuesFile)));

        assertThat(helm).hasAtLeastOneElementOfType(policyMode(valuesFile) ? MutatingAdmissionPolicy.class : MutatingWebhookConfiguration.class)
                .hasAtLeastOneElementOfType(Deployment.class);
        helm.stream().filter(o -> !(o instanceof ClusterRole || o instanceof ClusterRoleBinding || o instanceof MutatingWebhookConfiguration
                        || o instanceof MutatingAdmissionPolicy || o instanceof MutatingAdmissionPolicyBinding))
                .forEach(o -> assertThat(o.getMetadata().getNamespace()).as("%s %s", o.getKind(), o.getMetadata().getName()).isNotBlank());
    }

    @Test
    void secretModeWithoutCaBundleFailsWithAClearMessage() {
        assertThatThrownBy(() -> template("first-ordinal", "first-ordinal").set("tls.mode", "secret").call())
                .hasMessageContaining("tls.caBundle is required with tls.mode=secret");
    }

    @Test
    void valuesOutsideTheSchemaAreRejected() {
        assertThatThrownBy(() -> template("x", "x").set("webhook.failurePolicy", "Sometimes").call())
                .hasMessageContaining("/webhook/failurePolicy");
        assertThatThrownBy(() -> template("x", "x").set("webhook.timeoutSeconds", 31).call())
                .hasMessageContaining("/webhook/timeoutSeconds");
        assertThatThrownBy(() -> template("x", "x").set("tls.mode", "self-signed").call())
                .hasMessageContaining("/tls/mode");
        assertThatThrownBy(() -> template("x", "x").set("hook.timeout", "300").call())
                .as("a Go duration needs a unit").hasMessageContaining("/hook/timeout");
    }

    @Test
    void matchConditionsOffRendersTheWebhookWithoutThem() {
        List<HasMetadata> helm = render(template("first-ordinal", "first-ordinal").set("webhook.matchConditions.enabled", false));

        assertThat(KubernetesYaml.only(helm, MutatingWebhookConfiguration.class).getWebhooks().get(0).getMatchConditions()).isNullOrEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciValuesFiles")
    void everyMappingHasEachKeyOnceSoKustomizeAndPostRenderersAcceptIt(String valuesFile) {
        String yaml = template("first-ordinal", "first-ordinal").withValuesFile(CI.resolve(valuesFile)).call();
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);

        int documents = 0;
        for (Object document : new org.yaml.snakeyaml.Yaml(options).loadAll(yaml)) {
            documents += document == null ? 0 : 1;
        }
        assertThat(documents).isGreaterThan(5);
        Deployment deployment = KubernetesYaml.only(render(template("first-ordinal", "first-ordinal").withValuesFile(CI.resolve(valuesFile))), Deployment.class);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/name", "first-ordinal").containsEntry("app.kubernetes.io/instance", "first-ordinal")
                .containsEntry("app.kubernetes.io/component", policyMode(valuesFile) ? "policy-sync" : "webhook");
    }

    /** Whether a ci/ values file installs policy mode (no webhook: a MutatingAdmissionPolicy and policy-sync). */
    private static boolean policyMode(String valuesFile) {
        try {
            return "policy".equals(new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .readTree(CI.resolve(valuesFile).toFile()).path("mode").asText());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void duplicateKeysAreCaughtByTheStrictLoader() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        assertThatThrownBy(() -> new org.yaml.snakeyaml.Yaml(options).load("labels:\n  a: b\n  a: b\n"))
                .hasMessageContaining("duplicate key");
    }

    @Test
    void podLabelsCannotOverrideTheSelectorLabels() {
        Deployment deployment = KubernetesYaml.only(render(template("first-ordinal", "first-ordinal")
                .set("podLabels.team", "platform").set("podLabels.app\\.kubernetes\\.io/component", "other")), Deployment.class);

        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("team", "platform").containsEntry("app.kubernetes.io/component", "webhook");
    }

    @Test
    void theOptInLabelReachesTheContainerSoCoverageWatchesTheSameNamespaces() {
        Container custom = container(render(template("first-ordinal", "first-ordinal").withValuesFile(CI.resolve("secret-values.yaml"))));
        Container defaults = container(renderDefaults());

        assertThat(custom.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                .contains(tuple("FIRST_ORDINAL_NAMESPACE_LABEL", "backup.example.com/redis=on"));
        assertThat(defaults.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                .contains(tuple("FIRST_ORDINAL_NAMESPACE_LABEL", "first-ordinal.dev/backup=enabled"));
    }

    @Test
    void budgetIsRenderedOnlyWhenADrainCanSatisfyIt() {
        assertThat(render(template("x", "x").set("replicaCount", 1))).as("1 replica, minAvailable 1").noneMatch(o -> o instanceof PodDisruptionBudget);
        assertThat(render(template("x", "x").set("replicaCount", 2).set("podDisruptionBudget.minAvailable", 2))).noneMatch(o -> o instanceof PodDisruptionBudget);
        assertThat(render(template("x", "x").set("replicaCount", 1).set("podDisruptionBudget.minAvailable", "50%"))).noneMatch(o -> o instanceof PodDisruptionBudget);
        assertThat(render(template("x", "x").set("replicaCount", 3).set("podDisruptionBudget.minAvailable", 2))).hasAtLeastOneElementOfType(PodDisruptionBudget.class);
        assertThat(KubernetesYaml.only(render(template("x", "x").set("replicaCount", 2).set("podDisruptionBudget.minAvailable", "50%")), PodDisruptionBudget.class)
                .getSpec().getMinAvailable().getStrVal()).isEqualTo("50%");
        assertThat(render(template("x", "x").set("podDisruptionBudget.enabled", false))).noneMatch(o -> o instanceof PodDisruptionBudget);
    }

    @Test
    void hardAntiAffinityRollsOnePodAtATimeInsteadOfWaitingForAFreeNode() {
        var hard = KubernetesYaml.only(render(template("x", "x").set("podAntiAffinity", "hard")), Deployment.class).getSpec();
        var soft = KubernetesYaml.only(renderDefaults(), Deployment.class).getSpec();

        assertThat(hard.getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isZero();
        assertThat(hard.getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(soft.getTemplate().getSpec().getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()).isEmpty();
        assertThat(soft.getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(1);
        assertThat(soft.getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
    }

    @Test
    void topologySpreadConstraintsGetTheWebhookPodsSelector() {
        Deployment deployment = KubernetesYaml.only(render(template("first-ordinal", "first-ordinal").withValuesFile(CI.resolve("self-managed-values.yaml"))), Deployment.class);

        assertThat(deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints()).singleElement().satisfies(c -> {
            assertThat(c.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
            assertThat(c.getMaxSkew()).isEqualTo(1);
            assertThat(c.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
            assertThat(LabelSelectors.matches(c.getLabelSelector(), deployment.getSpec().getTemplate().getMetadata().getLabels())).isTrue();
            assertThat(c.getLabelSelector()).isEqualTo(deployment.getSpec().getSelector());
        });
        assertThat(KubernetesYaml.only(renderDefaults(), Deployment.class).getSpec().getTemplate().getSpec().getTopologySpreadConstraints()).isNullOrEmpty();
    }

    @Test
    void openShiftValuesLeaveTheUidToTheSccAndKeepEverythingElseLockedDown() {
        List<HasMetadata> helm = render(template("first-ordinal", "first-ordinal").withValuesFile(CI.resolve("openshift-values.yaml")));

        var pod = KubernetesYaml.only(helm, Deployment.class).getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsUser()).isNull();
        assertThat(pod.getSecurityContext().getRunAsGroup()).isNull();
        assertThat(pod.getSecurityContext().getFsGroup()).isNull();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(KubernetesYaml.all(helm, io.fabric8.kubernetes.api.model.Pod.class)).allSatisfy(p ->
                assertThat(p.getSpec().getSecurityContext().getRunAsUser()).isNull());
        assertThat(KubernetesYaml.only(renderDefaults(), Deployment.class).getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser()).isEqualTo(185L);

        var overridden = KubernetesYaml.only(render(template("x", "x").set("securityContext.runAsUser", 1000700000)), Deployment.class)
                .getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext();
        assertThat(overridden.getRunAsUser()).isEqualTo(1000700000L);
        assertThat(overridden.getAllowPrivilegeEscalation()).isFalse();
    }

    @Test
    void matchConditionsFollowTheClustersVersion() {
        MutatingWebhook old = KubernetesYaml.only(render(new Helm(DeployTree.CHART).template().withName("x").withNamespace("x")
                .withKubeVersion("1.27.9")), MutatingWebhookConfiguration.class).getWebhooks().get(0);
        MutatingWebhook current = KubernetesYaml.only(render(new Helm(DeployTree.CHART).template().withName("x").withNamespace("x")
                .withKubeVersion("1.28.0")), MutatingWebhookConfiguration.class).getWebhooks().get(0);

        assertThat(old.getMatchConditions()).as("1.27 has no matchConditions: the API server would reject the field").isNullOrEmpty();
        assertThat(current.getMatchConditions()).extracting(c -> c.getName()).containsExactly("controlled-by-statefulset");
    }

    @Test
    void typosInValuesAreRejectedByTheSchema() {
        assertThatThrownBy(() -> template("x", "x").set("replicaCont", 3).call()).hasMessageContaining("replicaCont");
        assertThatThrownBy(() -> template("x", "x").set("webhook.timeoutSecond", 3).call()).hasMessageContaining("timeoutSecond");
        assertThatThrownBy(() -> template("x", "x").set("tls.certManager.issuerref.name", "ca").call()).hasMessageContaining("issuerref");
        assertThatThrownBy(() -> template("x", "x").set("podDisruptionBudget.minAvaliable", 1).call()).hasMessageContaining("minAvaliable");
        assertThatThrownBy(() -> template("x", "x").set("namespaceSelector.label.vaule", "on").call()).hasMessageContaining("vaule");
        assertThatThrownBy(() -> template("x", "x").set("podDisruptionBudget.minAvailable", "half").call()).hasMessageContaining("minAvailable");
    }

    @Test
    void helmTestPodWaitsForTheRolloutAndReadsReadinessThroughTheService(@TempDir Path tmp) throws IOException {
        Path chart = chartWithHooksAsManifests(tmp);
        List<HasMetadata> helm = render(new Helm(chart).template().withName("first-ordinal").withNamespace("first-ordinal").withKubeVersion(KUBE_VERSION));

        var pod = KubernetesYaml.only(helm, io.fabric8.kubernetes.api.model.Pod.class, "first-ordinal-test");
        assertThat(pod.getMetadata().getAnnotations()).containsEntry(HOOK, "test");
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getSpec().getInitContainers()).singleElement().satisfies(c ->
                assertThat(c.getArgs()).containsSubsequence("rollout", "status", "deployment/first-ordinal"));
        Service service = KubernetesYaml.only(helm, Service.class);
        assertThat(pod.getSpec().getContainers()).singleElement().satisfies(c ->
                assertThat(c.getArgs()).contains("/api/v1/namespaces/first-ordinal/services/http:" + service.getMetadata().getName() + ":management/proxy/q/health/ready"));
        Role role = KubernetesYaml.only(helm, Role.class, "first-ordinal-test");
        assertThat(role.getMetadata().getAnnotations()).containsEntry(HOOK, "test");
        assertThat(Expectations.verbsByResource(role.getRules())).isEqualTo(Map.of(
                "apps/deployments", Set.of("get", "list", "watch"),
                "apps/replicasets", Set.of("get", "list", "watch"),
                "/services/proxy", Set.of("get")));
        assertThat(KubernetesYaml.only(helm, RoleBinding.class, "first-ordinal-test").getSubjects()).singleElement()
                .satisfies(s -> assertThat(s.getName()).isEqualTo(pod.getSpec().getServiceAccountName()));
        assertThat(render(new Helm(chart).template().withName("x").withNamespace("x").withKubeVersion(KUBE_VERSION).set("tests.enabled", false)))
                .noneMatch(o -> o.getMetadata().getName().endsWith("-test"));
        assertThat(renderDefaults()).as("helm template leaves hooks out of the release").noneMatch(o -> o.getMetadata().getName().endsWith("-test"));
    }

    @Test
    void preDeleteHookDeletesOnlyThisReleasesWebhookConfiguration(@TempDir Path tmp) throws IOException {
        Path chart = chartWithHooksAsManifests(tmp);
        List<HasMetadata> helm = render(new Helm(chart).template().withName("fo").withNamespace("platform").withKubeVersion(KUBE_VERSION));

        var job = KubernetesYaml.only(helm, io.fabric8.kubernetes.api.model.batch.v1.Job.class);
        assertThat(job.getMetadata().getAnnotations()).containsEntry(HOOK, "pre-delete");
        assertThat(job.getSpec().getTemplate().getSpec().getContainers()).singleElement().satisfies(c ->
                assertThat(c.getArgs()).containsSubsequence("delete", "mutatingwebhookconfiguration", "fo-first-ordinal"));
        ClusterRole role = KubernetesYaml.only(helm, ClusterRole.class, "fo-first-ordinal-uninstall");
        assertThat(role.getRules()).singleElement().satisfies(r -> {
            assertThat(r.getResources()).containsExactly("mutatingwebhookconfigurations");
            assertThat(r.getResourceNames()).containsExactly(KubernetesYaml.only(helm, MutatingWebhookConfiguration.class).getMetadata().getName());
            assertThat(r.getVerbs()).containsExactly("delete");
        });
        for (HasMetadata rbac : List.of(role, KubernetesYaml.only(helm, ClusterRoleBinding.class, "fo-first-ordinal-uninstall"),
                KubernetesYaml.only(helm, ServiceAccount.class, "fo-first-ordinal-uninstall"))) {
            assertThat(rbac.getMetadata().getAnnotations()).containsEntry(HOOK, "pre-delete")
                    .containsEntry(HOOK + "-delete-policy", "before-hook-creation,hook-succeeded");
            assertThat(Integer.parseInt(rbac.getMetadata().getAnnotations().get(HOOK + "-weight")))
                    .as("RBAC before the Job").isLessThan(Integer.parseInt(job.getMetadata().getAnnotations().get(HOOK + "-weight")));
        }
        assertThat(job.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("fo-first-ordinal-uninstall");
        assertThat(render(new Helm(chart).template().withName("x").withNamespace("x").withKubeVersion(KUBE_VERSION).set("uninstallHook.enabled", false)))
                .noneMatch(o -> o instanceof io.fabric8.kubernetes.api.model.batch.v1.Job);
    }

    @Test
    void monitoringObjectsAreOffByDefaultAndInEveryCiValuesFile() throws IOException {
        assertThat(renderDefaults()).noneMatch(o -> o.getApiVersion().startsWith("monitoring.coreos.com/"));
        for (String values : ciValuesFiles().toList()) {
            assertThat(render(template("first-ordinal", "first-ordinal").withValuesFile(CI.resolve(values))))
                    .as("%s: the install test's cluster has no Prometheus Operator CRDs", values)
                    .noneMatch(o -> o.getApiVersion().startsWith("monitoring.coreos.com/"));
        }
    }

    @Test
    void serviceMonitorScrapesTheServicesManagementPort() {
        List<HasMetadata> helm = render(template("fo", "platform").set("metrics.serviceMonitor.enabled", true)
                .set("metrics.serviceMonitor.labels.release", "kube-prometheus-stack"));

        GenericKubernetesResource monitor = monitoring(helm, "ServiceMonitor");
        Service service = KubernetesYaml.only(helm, Service.class);
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        assertThat(LabelSelectors.matches(new io.fabric8.kubernetes.api.model.LabelSelector(null,
                monitor.<Map<String, String>>get("spec", "selector", "matchLabels")), service.getMetadata().getLabels()))
                .as("the ServiceMonitor selects the Service").isTrue();
        assertThat(monitor.<List<Object>>get("spec", "namespaceSelector", "matchNames")).containsExactly("platform");
        List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
        assertThat(endpoints).singleElement().satisfies(e -> {
            assertThat(e).containsEntry("port", "management").containsEntry("path", "/q/metrics").containsEntry("honorLabels", true);
            assertThat(service.getSpec().getPorts()).extracting(p -> p.getName()).contains((String) e.get("port"));
        });
    }

    @Test
    void prometheusRuleCarriesTheDocumentedAlertsForThisRelease() throws IOException {
        List<HasMetadata> helm = render(template("fo", "platform").set("metrics.prometheusRule.enabled", true)
                .set("metrics.prometheusRule.certificateExpiryDays", 21));

        GenericKubernetesResource rule = monitoring(helm, "PrometheusRule");
        List<Map<String, Object>> groups = rule.get("spec", "groups");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rules = (List<Map<String, Object>>) groups.get(0).get("rules");
        Map<String, String> expressions = new java.util.TreeMap<>();
        rules.forEach(r -> expressions.put((String) r.get("alert"), (String) r.get("expr")));

        assertThat(expressions).containsOnlyKeys("FirstOrdinalShardUncovered", "FirstOrdinalShardOvercovered",
                "FirstOrdinalCertificateExpiresSoon", "FirstOrdinalFallbackAnswers", "FirstOrdinalWebhookDown");
        assertThat(expressions.get("FirstOrdinalShardUncovered")).contains("first_ordinal_statefulsets{state=\"uncovered\"", "service=\"fo-first-ordinal\"");
        assertThat(expressions.get("FirstOrdinalCertificateExpiresSoon")).contains("first_ordinal_certificate_expiry_seconds", "21 * 24 * 3600", "absent(");
        assertThat(expressions.get("FirstOrdinalFallbackAnswers")).contains("first_ordinal_admission_requests_total{reason=\"fallback\"");
        assertThat(expressions.get("FirstOrdinalWebhookDown")).contains("up{namespace=\"platform\", service=\"fo-first-ordinal\"}");
        expressions.values().forEach(e -> assertThat(e).doesNotContain("{{").doesNotContain("<no value>"));
        String readme = Files.readString(Path.of("docs/observability.md"));
        for (String metric : List.of("first_ordinal_statefulsets", "first_ordinal_certificate_expiry_seconds", "first_ordinal_admission_requests_total")) {
            assertThat(readme).as("the alerts use the metrics docs/observability.md documents").contains(metric);
        }
        rules.forEach(r -> assertThat(r).containsKeys("for", "labels", "annotations"));
    }

    @Test
    void networkPolicyAdmitsOnlyTheWebhookAndManagementPorts() {
        assertThat(renderDefaults()).noneMatch(o -> o instanceof io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy);
        List<HasMetadata> helm = render(template("first-ordinal", "first-ordinal").withValuesFile(CI.resolve("operate-values.yaml")));

        var policy = KubernetesYaml.only(helm, io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
        Deployment deployment = KubernetesYaml.only(helm, Deployment.class);
        assertThat(LabelSelectors.matches(policy.getSpec().getPodSelector(), deployment.getSpec().getTemplate().getMetadata().getLabels())).isTrue();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        var containerPorts = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts();
        assertThat(policy.getSpec().getIngress()).flatExtracting(r -> r.getPorts())
                .extracting(p -> containerPorts.stream().filter(c -> c.getName().equals(p.getPort().getStrVal())).findFirst().orElseThrow().getContainerPort())
                .containsExactlyInAnyOrder(8443, 9000);
        var https = policy.getSpec().getIngress().stream().filter(r -> r.getPorts().get(0).getPort().getStrVal().equals("https")).findFirst().orElseThrow();
        assertThat(https.getFrom()).as("the API server is on the host network: any source").isNullOrEmpty();
        var management = policy.getSpec().getIngress().stream().filter(r -> r.getPorts().get(0).getPort().getStrVal().equals("management")).findFirst().orElseThrow();
        assertThat(management.getFrom()).singleElement().satisfies(peer ->
                assertThat(peer.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "monitoring"));
    }

    @Test
    void auditCronJobRunsAuditWithReadOnlyRbacAndTheWebhooksRules() {
        assertThat(renderDefaults()).noneMatch(o -> o instanceof io.fabric8.kubernetes.api.model.batch.v1.CronJob);
        List<HasMetadata> helm = render(template("first-ordinal", "first-ordinal").withValuesFile(CI.resolve("operate-values.yaml"))
                .set("namespaceSelector.label.key", "backup.example.com/redis").set("namespaceSelector.label.value", "on"));

        var cronJob = KubernetesYaml.only(helm, io.fabric8.kubernetes.api.model.batch.v1.CronJob.class);
        assertThat(cronJob.getSpec().getSchedule()).isEqualTo("*/30 * * * *");
        assertThat(cronJob.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
        var job = cronJob.getSpec().getJobTemplate().getSpec();
        assertThat(job.getBackoffLimit()).as("a failed audit is a failed Job, not retried into success").isZero();
        var pod = job.getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        Container audit = pod.getContainers().get(0);
        assertThat(audit.getArgs()).containsExactly("audit");
        assertThat(audit.getImage()).isEqualTo(container(helm).getImage());
        assertThat(audit.getEnv()).extracting(EnvVar::getName, EnvVar::getValue).contains(
                tuple("FIRST_ORDINAL_NAMESPACE_LABEL", "backup.example.com/redis=on"),
                tuple("FIRST_ORDINAL_LABEL_KEY", "velero-backup-schedule"));
        assertThat(audit.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(audit.getVolumeMounts()).extracting(m -> m.getMountPath()).contains("/tmp");

        ClusterRole role = KubernetesYaml.only(helm, ClusterRole.class, "first-ordinal-audit");
        assertThat(Expectations.verbsByResource(role.getRules())).isEqualTo(Map.of(
                "/namespaces", Set.of("list"), "/pods", Set.of("list"), "/persistentvolumeclaims", Set.of("list"),
                "apps/statefulsets", Set.of("list")));
        ClusterRoleBinding binding = KubernetesYaml.only(helm, ClusterRoleBinding.class, "first-ordinal-audit");
        assertThat(binding.getRoleRef().getName()).isEqualTo("first-ordinal-audit");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(pod.getServiceAccountName());
            assertThat(s.getNamespace()).isEqualTo("first-ordinal");
        });
    }

    private static GenericKubernetesResource monitoring(List<HasMetadata> objects, String kind) {
        return objects.stream().filter(o -> o instanceof GenericKubernetesResource && o.getKind().equals(kind))
                .map(GenericKubernetesResource.class::cast)
                .peek(o -> assertThat(o.getApiVersion()).isEqualTo("monitoring.coreos.com/v1"))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind));
    }

    /** The annotation hooks carry in {@link #chartWithHooksAsManifests}. */
    private static final String HOOK = "hook.first-ordinal.dev/helm";

    /**
     * A copy of the chart whose hook templates are plain manifests: helm-java's template returns the
     * release manifest only, without hooks. The copy renames the annotation key helm.sh/hook(-*)
     * and nothing else, so the hooks render from the real templates.
     */
    private static Path chartWithHooksAsManifests(Path tmp) throws IOException {
        Path chart = copyChart(tmp);
        int renamed = 0;
        try (Stream<Path> files = Files.walk(chart.resolve("templates"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(file);
                if (text.contains("helm.sh/hook")) {
                    Files.writeString(file, text.replace("helm.sh/hook", HOOK));
                    renamed++;
                }
            }
        }
        assertThat(renamed).as("hook templates").isGreaterThanOrEqualTo(2);
        return chart;
    }

    private static Container container(List<HasMetadata> objects) {
        return KubernetesYaml.only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static GenericKubernetesResource certManager(List<HasMetadata> objects, String kind, String name) {
        return objects.stream().filter(o -> o instanceof GenericKubernetesResource && o.getKind().equals(kind) && o.getMetadata().getName().equals(name))
                .map(GenericKubernetesResource.class::cast)
                .peek(o -> assertThat(o.getApiVersion()).isEqualTo("cert-manager.io/v1"))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static <T extends HasMetadata> T inNamespace(List<HasMetadata> objects, Class<T> type, String namespace) {
        return KubernetesYaml.all(objects, type).stream().filter(o -> namespace.equals(o.getMetadata().getNamespace()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " in " + namespace));
    }

    private static Path copyChart(Path tmp) throws IOException {
        Path target = tmp.resolve("first-ordinal");
        try (Stream<Path> files = Files.walk(DeployTree.CHART)) {
            for (Path p : files.toList()) {
                Path dest = target.resolve(DeployTree.CHART.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest);
                }
            }
        }
        return target;
    }
}

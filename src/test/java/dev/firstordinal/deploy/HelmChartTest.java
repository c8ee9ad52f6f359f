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
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
    void defaultsRenderTheKustomizeBasesWebhookDeploymentAndRbacWithCertManager() {
        List<HasMetadata> helm = renderDefaults();
        List<HasMetadata> base = KubernetesYaml.objects(Kustomize.build(DeployTree.BASE));

        assertThat(helm).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).containsExactlyInAnyOrder(
                "ServiceAccount/first-ordinal", "ClusterRole/first-ordinal", "ClusterRoleBinding/first-ordinal",
                "Deployment/first-ordinal", "PodDisruptionBudget/first-ordinal", "Service/first-ordinal",
                "MutatingWebhookConfiguration/first-ordinal",
                "Issuer/first-ordinal-selfsigned", "Certificate/first-ordinal-ca", "Issuer/first-ordinal-ca",
                "Certificate/first-ordinal");

        MutatingWebhookConfiguration webhook = KubernetesYaml.only(helm, MutatingWebhookConfiguration.class);
        Expectations.assertWebhookConfiguration(webhook, Expectations.Webhook.defaults());
        assertThat(webhook.getWebhooks()).isEqualTo(KubernetesYaml.only(base, MutatingWebhookConfiguration.class).getWebhooks());
        assertThat(webhook.getMetadata().getAnnotations()).containsEntry("cert-manager.io/inject-ca-from", "first-ordinal/first-ordinal");

        Deployment deployment = KubernetesYaml.only(helm, Deployment.class);
        Expectations.assertSecureDeployment(deployment, Expectations.Workload.defaults());
        Container helmContainer = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        Container baseContainer = KubernetesYaml.only(base, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(helmContainer.getImage()).isEqualTo(baseContainer.getImage());
        assertThat(helmContainer).usingRecursiveComparison().ignoringFields("image").isEqualTo(baseContainer);
        assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext())
                .isEqualTo(KubernetesYaml.only(base, Deployment.class).getSpec().getTemplate().getSpec().getSecurityContext());
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
                .isEqualTo(KubernetesYaml.only(base, Deployment.class).getSpec().getTemplate().getSpec().getVolumes());

        Expectations.assertWebhookRbac(KubernetesYaml.only(helm, ClusterRole.class));
        assertThat(KubernetesYaml.only(helm, ClusterRoleBinding.class).getSubjects())
                .isEqualTo(KubernetesYaml.only(base, ClusterRoleBinding.class).getSubjects());
        Expectations.assertServiceReachesHttps(KubernetesYaml.only(helm, Service.class), deployment);
        Expectations.assertBudgetKeepsOneReplica(KubernetesYaml.only(helm, PodDisruptionBudget.class), deployment, 1);
        assertThat(helm).noneMatch(o -> o instanceof Namespace || o instanceof Role || o instanceof RoleBinding);
    }

    @Test
    void certManagerModeIssuesTheServingCertificateForTheServiceName() {
        List<HasMetadata> helm = renderDefaults();

        GenericKubernetesResource certificate = certManager(helm, "Certificate", "first-ordinal");
        assertThat(certificate.<Object>get("spec", "secretName")).isEqualTo("first-ordinal-tls");
        assertThat(certificate.<List<Object>>get("spec", "dnsNames")).contains("first-ordinal.first-ordinal.svc");
        assertThat(certificate.<Map<String, Object>>get("spec", "issuerRef"))
                .containsEntry("name", "first-ordinal-ca").containsEntry("kind", "Issuer");
        assertThat(certificate.<Map<String, Object>>get("spec", "privateKey")).containsEntry("rotationPolicy", "Always");
        GenericKubernetesResource ca = certManager(helm, "Certificate", "first-ordinal-ca");
        assertThat(ca.<Object>get("spec", "isCA")).isEqualTo(true);
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
        assertThat(KubernetesYaml.all(helm, Role.class)).hasSize(2);
    }

    @Test
    void labellerRbacIsOffByDefault() {
        assertThat(renderDefaults()).noneMatch(o -> o instanceof Role || o instanceof RoleBinding);
        assertThat(KubernetesYaml.all(renderDefaults(), ServiceAccount.class)).hasSize(1);
    }

    @Test
    void releaseInAnotherNamespaceNamesAndExcludesThatNamespace() {
        List<HasMetadata> helm = render(template("fo", "platform"));

        MutatingWebhookConfiguration configuration = KubernetesYaml.only(helm, MutatingWebhookConfiguration.class);
        Expectations.assertWebhookConfiguration(configuration, new Expectations.Webhook("fo-first-ordinal", "platform",
                Expectations.OPT_IN_KEY, Expectations.OPT_IN_VALUE, List.of("kube-system", "platform"), "Ignore", 5, true));
        assertThat(configuration.getMetadata().getAnnotations()).containsEntry("cert-manager.io/inject-ca-from", "platform/fo-first-ordinal");
        Deployment deployment = KubernetesYaml.only(helm, Deployment.class);
        Expectations.assertSecureDeployment(deployment, new Expectations.Workload("fo-first-ordinal", "platform", "fo-first-ordinal", 2, "first-ordinal-tls"));
        assertThat(KubernetesYaml.only(helm, ClusterRoleBinding.class).getSubjects()).singleElement()
                .satisfies(s -> assertThat(s.getNamespace()).isEqualTo("platform"));
        assertThat(certManager(helm, "Certificate", "fo-first-ordinal").<List<Object>>get("spec", "dnsNames")).contains("fo-first-ordinal.platform.svc");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cert-manager-values.yaml", "cert-manager-cluster-issuer-values.yaml", "secret-values.yaml"})
    void everyCiValuesFileRendersStrictlyValidObjects(String valuesFile) {
        List<HasMetadata> helm = render(template("first-ordinal", "first-ordinal").withValuesFile(CI.resolve(valuesFile)));

        assertThat(helm).hasAtLeastOneElementOfType(MutatingWebhookConfiguration.class).hasAtLeastOneElementOfType(Deployment.class);
        helm.stream().filter(o -> !(o instanceof ClusterRole || o instanceof ClusterRoleBinding || o instanceof MutatingWebhookConfiguration))
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

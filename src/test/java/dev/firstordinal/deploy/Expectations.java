package dev.firstordinal.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the webhook's objects must say, shared by the kustomize manifests and the Helm chart's
 * renders (which differ only in the values passed here).
 */
final class Expectations {

    static final String TLS_MOUNT = "/etc/first-ordinal/tls";
    static final String OPT_IN_KEY = "first-ordinal.dev/backup";
    static final String OPT_IN_VALUE = "enabled";

    /** The webhook ClusterRole: read-only, exactly these verbs per API group and resource. */
    static final Map<String, Set<String>> WEBHOOK_RBAC = Map.of(
            "apps/statefulsets", Set.of("get", "list", "watch"),
            "/namespaces", Set.of("get", "list", "watch"),
            "/pods", Set.of("get", "list"),
            "/persistentvolumeclaims", Set.of("list"));

    /** The repairer's ClusterRole: watch and patch pods, nothing else (docs/security.md#the-repairer). */
    static final Map<String, Set<String>> REPAIR_RBAC = Map.of("/pods", Set.of("watch", "patch"));

    private Expectations() {
    }

    record Webhook(String serviceName, String namespace, String optInKey, String optInValue, List<String> excluded,
                   String failurePolicy, int timeoutSeconds, boolean matchConditions) {

        static Webhook defaults() {
            return new Webhook("first-ordinal", "first-ordinal", OPT_IN_KEY, OPT_IN_VALUE, List.of("kube-system", "first-ordinal"),
                    "Ignore", 5, true);
        }
    }

    static void assertWebhookConfiguration(MutatingWebhookConfiguration configuration, Webhook expected) {
        assertThat(configuration.getWebhooks()).hasSize(1);
        MutatingWebhook webhook = configuration.getWebhooks().get(0);
        assertThat(webhook.getName()).isEqualTo("pods.first-ordinal.dev");
        assertThat(webhook.getAdmissionReviewVersions()).containsExactly("v1");
        assertThat(webhook.getClientConfig().getUrl()).isNull();
        assertThat(webhook.getClientConfig().getService().getName()).isEqualTo(expected.serviceName());
        assertThat(webhook.getClientConfig().getService().getNamespace()).isEqualTo(expected.namespace());
        assertThat(webhook.getClientConfig().getService().getPath()).isEqualTo("/mutate");
        assertThat(webhook.getClientConfig().getService().getPort()).isEqualTo(443);

        assertThat(webhook.getRules()).hasSize(1);
        RuleWithOperations rule = webhook.getRules().get(0);
        assertThat(rule.getOperations()).containsExactly("CREATE");
        assertThat(rule.getApiGroups()).containsExactly("");
        assertThat(rule.getApiVersions()).containsExactly("v1");
        assertThat(rule.getResources()).containsExactly("pods");
        assertThat(rule.getScope()).isEqualTo("Namespaced");

        assertThat(webhook.getNamespaceSelector().getMatchLabels()).containsExactly(Map.entry(expected.optInKey(), expected.optInValue()));
        assertThat(webhook.getNamespaceSelector().getMatchExpressions()).singleElement().satisfies(e -> {
            assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
            assertThat(e.getOperator()).isEqualTo("NotIn");
            assertThat(e.getValues()).containsExactlyInAnyOrderElementsOf(expected.excluded());
        });
        Map<String, String> optedIn = Map.of(expected.optInKey(), expected.optInValue());
        assertThat(selects(webhook, "redis", optedIn)).as("an opted-in namespace").isTrue();
        assertThat(selects(webhook, "redis", Map.of())).as("a namespace without the opt-in label").isFalse();
        assertThat(selects(webhook, "kube-system", optedIn)).as("kube-system, even labelled").isFalse();
        assertThat(selects(webhook, expected.namespace(), optedIn)).as("the webhook's own namespace, even labelled").isFalse();
        assertThat(webhook.getObjectSelector() == null || webhook.getObjectSelector().equals(new io.fabric8.kubernetes.api.model.LabelSelector()))
                .as("no objectSelector").isTrue();

        assertThat(webhook.getFailurePolicy()).isEqualTo(expected.failurePolicy());
        assertThat(webhook.getSideEffects()).isEqualTo("None");
        assertThat(webhook.getTimeoutSeconds()).isEqualTo(expected.timeoutSeconds());
        assertThat(webhook.getReinvocationPolicy()).isEqualTo("IfNeeded");
        assertThat(webhook.getMatchPolicy()).isEqualTo("Equivalent");
        if (expected.matchConditions()) {
            assertThat(webhook.getMatchConditions()).singleElement().satisfies(c -> {
                assertThat(c.getName()).isEqualTo("controlled-by-statefulset");
                assertThat(c.getExpression()).isEqualTo(MatchConditionTest.expressionOf(DeployTree.BASE.resolve("mutatingwebhookconfiguration.yaml")));
            });
        } else {
            assertThat(webhook.getMatchConditions()).isNullOrEmpty();
        }
    }

    static boolean selects(MutatingWebhook webhook, String namespace, Map<String, String> labels) {
        Map<String, String> all = new TreeMap<>(labels);
        all.put("kubernetes.io/metadata.name", namespace); // set by the API server on every namespace
        return LabelSelectors.matches(webhook.getNamespaceSelector(), all);
    }

    record Workload(String name, String namespace, String serviceAccount, int replicas, String secretName) {

        static Workload defaults() {
            return new Workload("first-ordinal", "first-ordinal", "first-ordinal", 2, "first-ordinal-tls");
        }
    }

    static void assertSecureDeployment(Deployment deployment, Workload expected) {
        assertThat(deployment.getMetadata().getName()).isEqualTo(expected.name());
        assertThat(deployment.getMetadata().getNamespace()).isEqualTo(expected.namespace());
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(expected.replicas());
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(LabelSelectors.matches(deployment.getSpec().getSelector(), podLabels)).as("selector matches the pod template").isTrue();
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        var rolling = deployment.getSpec().getStrategy().getRollingUpdate();
        if (pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().isEmpty()) {
            assertThat(rolling.getMaxUnavailable().getIntVal()).as("soft anti-affinity: surge, never below the replicas").isZero();
            assertThat(rolling.getMaxSurge().getIntVal()).isEqualTo(1);
        } else {
            assertThat(rolling.getMaxSurge().getIntVal()).as("hard anti-affinity: a surge pod may find no free node, the rollout stalls").isZero();
            assertThat(rolling.getMaxUnavailable().getIntVal()).isEqualTo(1);
        }

        assertThat(pod.getServiceAccountName()).isEqualTo(expected.serviceAccount());
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        var antiAffinity = pod.getAffinity().getPodAntiAffinity();
        var terms = Stream.concat(
                antiAffinity.getRequiredDuringSchedulingIgnoredDuringExecution().stream(),
                antiAffinity.getPreferredDuringSchedulingIgnoredDuringExecution().stream().map(w -> w.getPodAffinityTerm())).toList();
        assertThat(terms).as("pod anti-affinity").isNotEmpty().allSatisfy(t -> {
            assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
            assertThat(LabelSelectors.matches(t.getLabelSelector(), podLabels)).as("anti-affinity selects the webhook's own pods").isTrue();
        });

        assertThat(pod.getContainers()).hasSize(1);
        Container container = pod.getContainers().get(0);
        assertThat(container.getName()).isEqualTo("first-ordinal");
        SecurityContext security = container.getSecurityContext();
        assertThat(security.getRunAsNonRoot()).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

        Map<String, Quantity> requests = container.getResources().getRequests();
        Map<String, Quantity> limits = container.getResources().getLimits();
        assertThat(requests).containsKeys("cpu", "memory");
        assertThat(limits).containsKeys("cpu", "memory");
        for (String resource : List.of("cpu", "memory")) {
            assertThat(requests.get(resource).getNumericalAmount()).as("%s request <= limit", resource)
                    .isLessThanOrEqualTo(limits.get(resource).getNumericalAmount());
        }

        assertThat(container.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("https", 8443), org.assertj.core.groups.Tuple.tuple("management", 9000));
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
        assertThat(container.getStartupProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");

        assertThat(container.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                .contains(org.assertj.core.groups.Tuple.tuple("FIRST_ORDINAL_TLS_SELF_SIGNED_FALLBACK", "false"),
                        org.assertj.core.groups.Tuple.tuple("FIRST_ORDINAL_TLS_CERT_FILE", TLS_MOUNT + "/tls.crt"),
                        org.assertj.core.groups.Tuple.tuple("FIRST_ORDINAL_TLS_KEY_FILE", TLS_MOUNT + "/tls.key"));
        assertThat(container.getEnv()).extracting(EnvVar::getName).contains(
                "FIRST_ORDINAL_LABEL_KEY", "FIRST_ORDINAL_LABEL_VALUE", "FIRST_ORDINAL_HOOK_ON_ERROR", "FIRST_ORDINAL_HOOK_TIMEOUT");

        if (expected.secretName() == null) {
            assertThat(container.getVolumeMounts()).as("self-managed: the Secret is read through the API, not mounted")
                    .noneMatch(m -> m.getMountPath().equals(TLS_MOUNT));
            assertThat(pod.getVolumes()).noneMatch(v -> v.getSecret() != null);
            assertThat(container.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                    .contains(org.assertj.core.groups.Tuple.tuple("FIRST_ORDINAL_TLS_MODE", "self-managed"));
            assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("POD_NAME") || e.getName().equals("POD_NAMESPACE"))
                    .extracting(e -> e.getValueFrom().getFieldRef().getFieldPath())
                    .containsExactlyInAnyOrder("metadata.name", "metadata.namespace");
        } else {
            VolumeMount tls = mount(container, TLS_MOUNT);
            assertThat(tls.getReadOnly()).isTrue();
            assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(tls.getName())).singleElement()
                    .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo(expected.secretName()));
        }
        VolumeMount tmp = mount(container, "/tmp");
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(tmp.getName())).singleElement()
                .satisfies(v -> assertThat(v.getEmptyDir()).as("/tmp is an emptyDir").isNotNull());
    }

    static void assertServiceReachesHttps(Service service, Deployment deployment) {
        assertThat(service.getMetadata().getName()).isEqualTo(deployment.getMetadata().getName());
        assertThat(LabelSelectors.matches(new io.fabric8.kubernetes.api.model.LabelSelector(null, service.getSpec().getSelector()),
                deployment.getSpec().getTemplate().getMetadata().getLabels())).as("the Service selects the webhook pods").isTrue();
        var containerPorts = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts();
        assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName).containsExactlyInAnyOrder("https", "management");
        assertThat(service.getSpec().getPorts()).filteredOn(p -> p.getName().equals("management")).singleElement().satisfies(port -> {
            assertThat(port.getPort()).isEqualTo(9000);
            assertThat(containerPorts).filteredOn(p -> p.getName().equals(port.getTargetPort().getStrVal())).singleElement()
                    .satisfies(p -> assertThat(p.getContainerPort()).as("the scraper reaches the management port").isEqualTo(9000));
        });
        assertThat(service.getSpec().getPorts()).filteredOn(p -> p.getName().equals("https")).singleElement().satisfies((ServicePort port) -> {
            assertThat(port.getPort()).isEqualTo(443);
            String target = port.getTargetPort().getStrVal();
            assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
                    .filteredOn(p -> p.getName().equals(target)).singleElement()
                    .satisfies(p -> assertThat(p.getContainerPort()).as("443 -> container port").isEqualTo(8443));
        });
    }

    static void assertBudgetKeepsOneReplica(PodDisruptionBudget budget, Deployment deployment, int minAvailable) {
        assertThat(budget.getSpec().getMinAvailable().getIntVal()).isEqualTo(minAvailable);
        assertThat(budget.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector());
    }

    /** The webhook's ClusterRole grants exactly {@link #WEBHOOK_RBAC}. */
    static void assertWebhookRbac(ClusterRole role) {
        assertThat(verbsByResource(role.getRules())).isEqualTo(WEBHOOK_RBAC);
    }

    /** The repairer's grant: {@link #REPAIR_RBAC} cluster-wide, and only its own Lease (by name) besides creating one. */
    static void assertRepairRbac(ClusterRole role, Role lease, String leaseName) {
        assertThat(verbsByResource(role.getRules())).isEqualTo(REPAIR_RBAC);
        assertThat(lease.getRules()).extracting(r -> r.getResources() + " " + r.getResourceNames() + " " + r.getVerbs())
                .containsExactlyInAnyOrder("[leases] [" + leaseName + "] [get, update, patch]", "[leases] [] [create]");
    }

    /** No wildcard, no privilege-escalating verb, no resourceNames-less write to RBAC objects. */
    static void assertNoWildcards(HasMetadata roleOrClusterRole) {
        List<PolicyRule> rules = roleOrClusterRole instanceof ClusterRole c ? c.getRules() : ((Role) roleOrClusterRole).getRules();
        String id = roleOrClusterRole.getKind() + " " + roleOrClusterRole.getMetadata().getName();
        assertThat(rules).as(id).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.getVerbs()).as("%s verbs", id).isNotEmpty().doesNotContain("*", "escalate", "bind", "impersonate");
            assertThat(rule.getResources()).as("%s resources", id).isNotEmpty().noneMatch(r -> r.contains("*"));
            assertThat(rule.getApiGroups()).as("%s apiGroups", id).isNotEmpty().doesNotContain("*");
            assertThat(rule.getNonResourceURLs()).as("%s nonResourceURLs", id).isNullOrEmpty();
        });
    }

    static Map<String, Set<String>> verbsByResource(List<PolicyRule> rules) {
        Map<String, Set<String>> verbs = new TreeMap<>();
        for (PolicyRule rule : rules) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    verbs.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>()).addAll(rule.getVerbs());
                }
            }
        }
        return verbs;
    }

    private static VolumeMount mount(Container container, String path) {
        return container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume mounted at " + path));
    }
}

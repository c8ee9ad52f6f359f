package dev.firstordinal.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The kustomize base (deploy/kubernetes/base) as written, object by object. */
class ManifestsTest {

    private static List<HasMetadata> base() {
        List<HasMetadata> objects = new ArrayList<>();
        for (String resource : KustomizationsTest.references(KubernetesYaml.documents(DeployTree.BASE.resolve("kustomization.yaml")).get(0))) {
            if (!java.nio.file.Files.isDirectory(DeployTree.BASE.resolve(resource))) { // a component (the image) is no manifest
                objects.addAll(KubernetesYaml.objects(DeployTree.BASE.resolve(resource)));
            }
        }
        return objects;
    }

    @Test
    void webhookCallsOnlyForPodCreatesInOptedInNamespacesAndFailsOpen() {
        Expectations.assertWebhookConfiguration(KubernetesYaml.only(base(), MutatingWebhookConfiguration.class),
                Expectations.Webhook.defaults());
    }

    @Test
    void webhookHasNoCaBundleOfItsOwnTheTlsOverlaySetsIt() {
        MutatingWebhookConfiguration webhook = KubernetesYaml.only(base(), MutatingWebhookConfiguration.class);

        assertThat(webhook.getWebhooks().get(0).getClientConfig().getCaBundle()).isNull();
    }

    @Test
    void deploymentRunsTwoLockedDownReplicasOnDifferentNodes() {
        Deployment deployment = KubernetesYaml.only(base(), Deployment.class);

        Expectations.assertSecureDeployment(deployment, Expectations.Workload.defaults());
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(v -> v.getSecret() != null).singleElement()
                .satisfies(v -> assertThat(v.getSecret().getDefaultMode()).as("0440").isEqualTo(0440));
    }

    @Test
    void serviceMaps443ToTheHttpsContainerPort() {
        Expectations.assertServiceReachesHttps(KubernetesYaml.only(base(), Service.class), KubernetesYaml.only(base(), Deployment.class));
    }

    @Test
    void podDisruptionBudgetKeepsOneReplicaOfTheDeployment() {
        Expectations.assertBudgetKeepsOneReplica(KubernetesYaml.only(base(), PodDisruptionBudget.class),
                KubernetesYaml.only(base(), Deployment.class), 1);
    }

    @Test
    void clusterRoleIsReadOnlyWithExactlyTheVerbsTheServerNeeds() {
        List<HasMetadata> objects = base();
        ClusterRole role = KubernetesYaml.only(objects, ClusterRole.class, "first-ordinal");
        ClusterRoleBinding binding = KubernetesYaml.only(objects, ClusterRoleBinding.class, "first-ordinal");
        ServiceAccount account = KubernetesYaml.only(objects, ServiceAccount.class);

        Expectations.assertWebhookRbac(role);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(account.getMetadata().getNamespace());
        });
    }

    @Test
    void theRepairersGrantIsWatchAndPatchOnPodsAndItsOwnLeaseBoundToTheWebhooksServiceAccount() {
        List<HasMetadata> objects = base();
        ServiceAccount account = KubernetesYaml.only(objects, ServiceAccount.class);

        Expectations.assertRepairRbac(KubernetesYaml.only(objects, ClusterRole.class, "first-ordinal-repair"),
                KubernetesYaml.only(objects, io.fabric8.kubernetes.api.model.rbac.Role.class, "first-ordinal-repair"), "first-ordinal-repair");
        assertThat(KubernetesYaml.only(objects, ClusterRoleBinding.class, "first-ordinal-repair").getSubjects()).singleElement()
                .satisfies(s -> assertThat(s.getName() + "/" + s.getNamespace())
                        .isEqualTo(account.getMetadata().getName() + "/" + account.getMetadata().getNamespace()));
        assertThat(KubernetesYaml.only(objects, io.fabric8.kubernetes.api.model.rbac.RoleBinding.class, "first-ordinal-repair").getRoleRef().getName())
                .isEqualTo("first-ordinal-repair");
    }

    @Test
    void noRoleUnderDeployUsesWildcards() {
        List<HasMetadata> roles = new ArrayList<>();
        for (Path file : DeployTree.yamlFiles()) {
            KubernetesYaml.documents(file).stream()
                    .filter(KubernetesYaml::isKubernetesObject).filter(d -> !KubernetesYaml.isKustomize(d))
                    .map(KubernetesYaml::toObject)
                    .filter(o -> o instanceof ClusterRole || o instanceof Role)
                    .forEach(roles::add);
        }

        assertThat(roles).isNotEmpty();
        roles.forEach(Expectations::assertNoWildcards);
    }

    @Test
    void namespacedObjectsLiveInTheWebhooksNamespaceUnderRestrictedPodSecurity() {
        List<HasMetadata> objects = base();
        Namespace namespace = KubernetesYaml.only(objects, Namespace.class);

        assertThat(namespace.getMetadata().getName()).isEqualTo("first-ordinal");
        assertThat(namespace.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        assertThat(namespace.getMetadata().getLabels()).doesNotContainKey(Expectations.OPT_IN_KEY);
        objects.stream()
                .filter(o -> o instanceof Deployment || o instanceof Service || o instanceof ServiceAccount || o instanceof PodDisruptionBudget)
                .forEach(o -> assertThat(o.getMetadata().getNamespace()).as(o.getKind()).isEqualTo("first-ordinal"));
    }
}

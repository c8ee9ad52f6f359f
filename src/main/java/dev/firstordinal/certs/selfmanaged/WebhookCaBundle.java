package dev.firstordinal.certs.selfmanaged;

import dev.firstordinal.json.Json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.firstordinal.certs.Pem;
import dev.firstordinal.certs.rotation.RotationPlanner;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The caBundle of the webhook configuration self-managed TLS keeps in step: what its webhooks trust
 * ({@link #trustedBy}) and the one JSON patch that sets every webhook's caBundle ({@link #patch}).
 * The patch tests the resourceVersion it was planned from, so a stale leader's patch fails instead of
 * overwriting a newer one. Not thread-safe: one instance per reconciling thread.
 */
final class WebhookCaBundle {

    private static final Logger LOG = Logger.getLogger(SelfManagedCertificates.class);
    private static final ObjectMapper JSON = Json.MAPPER;

    private final KubernetesClient client;
    private final String name;
    private boolean warnedMissing;

    WebhookCaBundle(KubernetesClient client, String name) {
        this.client = client;
        this.name = name;
    }

    /** The configuration now; null when it does not exist. */
    MutatingWebhookConfiguration read() {
        return client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(name).get();
    }

    /**
     * Sets every webhook's caBundle of {@code webhook} (as read) to {@code bundle}, unless they all
     * hold it already. A missing configuration is warned about once, until it exists.
     */
    void patch(MutatingWebhookConfiguration webhook, List<X509Certificate> bundle) {
        if (webhook == null) {
            if (!warnedMissing) {
                LOG.warnf("self-managed TLS: MutatingWebhookConfiguration %s not found; its caBundle is set as soon as it exists", name);
                warnedMissing = true;
            }
            return;
        }
        warnedMissing = false;
        List<MutatingWebhook> webhooks = webhook.getWebhooks() == null ? List.of() : webhook.getWebhooks();
        boolean upToDate = webhooks.stream().allMatch(hook -> RotationPlanner.sameCertificates(certificates(hook), bundle));
        if (upToDate) {
            return;
        }
        String caBundle = Base64.getEncoder().encodeToString(Pem.encode(bundle).getBytes(StandardCharsets.US_ASCII));
        ArrayNode patch = JSON.createArrayNode();
        patch.addObject().put("op", "test").put("path", "/metadata/resourceVersion").put("value", webhook.getMetadata().getResourceVersion());
        for (int i = 0; i < webhooks.size(); i++) {
            patch.addObject().put("op", "add").put("path", "/webhooks/" + i + "/clientConfig/caBundle").put("value", caBundle);
        }
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(name)
                .patch(PatchContext.of(PatchType.JSON), patch.toString());
        LOG.infof("self-managed TLS: set the caBundle of %s (%d webhooks) to %s", name, webhooks.size(),
                bundle.stream().map(ca -> ca.getSubjectX500Principal().getName()).toList());
    }

    /** The CAs every webhook of the configuration trusts (what any API server call may rely on). */
    static List<X509Certificate> trustedBy(MutatingWebhookConfiguration configuration) {
        List<MutatingWebhook> webhooks = configuration.getWebhooks() == null ? List.of() : configuration.getWebhooks();
        if (webhooks.isEmpty()) {
            return List.of();
        }
        List<X509Certificate> common = new ArrayList<>(certificates(webhooks.get(0)));
        for (MutatingWebhook hook : webhooks.subList(1, webhooks.size())) {
            List<X509Certificate> theirs = certificates(hook);
            common.removeIf(ca -> !theirs.contains(ca));
        }
        return common;
    }

    private static List<X509Certificate> certificates(MutatingWebhook hook) {
        String caBundle = hook.getClientConfig() == null ? null : hook.getClientConfig().getCaBundle();
        if (caBundle == null || caBundle.isBlank()) {
            return List.of();
        }
        try {
            return Pem.certificates(new String(Base64.getDecoder().decode(caBundle.trim()), StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }
}

package dev.firstordinal.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings under {@code first-ordinal.*} (env: {@code FIRST_ORDINAL_*}). Defaults live in application.properties too. */
@ConfigMapping(prefix = "first-ordinal")
public interface FirstOrdinalConfig {

    Label label();

    Hook hook();

    /**
     * Pod labels ({@code key=value}, comma-separated) that mark a StatefulSet as a shard's replica
     * tier, left alone because its master set is backed up (Bitnami's replication architecture);
     * {@code none}: no replica tier.
     */
    @WithDefault("app.kubernetes.io/component=replica")
    String replicaTierLabels();

    Tls tls();

    Admission admission();

    /**
     * Namespaces whose StatefulSets are watched and audited (comma-separated); unset: all. Narrow
     * it to the opted-in namespaces to cache less and to run with namespaced RBAC.
     */
    Optional<List<String>> namespaces();

    /** The namespace label ({@code key=value}) that opts a namespace in, as the webhook's namespaceSelector does. */
    @WithDefault("first-ordinal.dev/backup=enabled")
    String namespaceLabel();

    StatefulSetCache statefulsetCache();

    Coverage coverage();

    Repair repair();

    /**
     * Start, answer the warm-up review, then exit 0: the training run that writes the image's AOT
     * cache ({@code -XX:AOTCacheOutput}, see Dockerfile.jvm). Never set it on a running webhook.
     */
    @WithDefault("false")
    boolean exitAfterStart();

    interface Label {
        /** The backup label's key. */
        @WithDefault("velero-backup-schedule")
        String key();

        /** The backup label's value; a pod's {@code first-ordinal.dev/schedule} annotation overrides it. */
        @WithDefault("redis")
        String value();
    }

    interface Hook {
        /** {@code pre.hook.backup.velero.io/on-error}: Fail or Continue. */
        @WithDefault("Fail")
        String onError();

        /** {@code pre.hook.backup.velero.io/timeout}: a Go duration with a unit. */
        @WithDefault("300s")
        String timeout();

        /**
         * Where the hook lives: {@code annotations} (on each first-ordinal pod) or {@code schedule} (in the Velero
         * Schedule that {@code first-ordinal schedule} renders; pods get only labels). See docs/hook.md.
         */
        @WithDefault("annotations")
        String mode();
    }

    interface Tls {
        /** PEM serving certificate (chain). */
        @WithDefault("/etc/first-ordinal/tls/tls.crt")
        String certFile();

        /** PEM private key. */
        @WithDefault("/etc/first-ordinal/tls/tls.key")
        String keyFile();

        /** With no certificate files, serve a generated localhost certificate (read by the serve command before start). */
        @WithDefault("true")
        boolean selfSignedFallback();

        /** Where that certificate and its CA are written; default {@code $TMPDIR/first-ordinal-tls}. */
        java.util.Optional<String> selfSignedDir();

        /**
         * How often the certificate files are checked; a changed, consistent pair is served to new
         * handshakes without a restart. Self-managed mode also reloads at once when the Secret changes.
         */
        @WithDefault("60s")
        Duration reloadPeriod();

        /**
         * The HTTPS server's TLS implementation: {@code openssl} (BoringSSL from netty-tcnative, bundled for
         * linux x86_64 and aarch64; several times cheaper per request than the JDK's AES-GCM under C1) or
         * {@code jdk}. Where BoringSSL cannot load (another platform, a {@code noexec} temporary directory)
         * the server starts with {@code jdk} and says why.
         */
        @WithDefault("openssl")
        Engine engine();

        /** Where the certificate comes from: {@code files} (a mounted Secret) or {@code self-managed}. */
        @WithDefault("files")
        Mode mode();

        /** Self-managed: the kubernetes.io/tls Secret that holds the CA and the serving certificate. */
        @WithDefault("first-ordinal-tls")
        String secretName();

        /** Self-managed: the MutatingWebhookConfiguration whose webhooks' caBundle is kept in step. */
        @WithDefault("first-ordinal")
        String webhookConfiguration();

        /** Self-managed: the Service the API server calls (certificate names). */
        @WithDefault("first-ordinal")
        String service();

        /** Self-managed: the namespace of the Service, Secret and Lease; default the pod's own. */
        Optional<String> namespace();

        /** Self-managed: more DNS names for the serving certificate. */
        Optional<List<String>> dnsNames();

        /** Self-managed: {@code ec} (ECDSA P-256) or {@code rsa} (RSA 2048). */
        @WithDefault("ec")
        String keyType();

        /** Self-managed: serving certificate validity. */
        @WithDefault("365d")
        Duration validity();

        /** Self-managed: CA validity. */
        @WithDefault("3650d")
        Duration caValidity();

        /** Self-managed: renew the serving certificate this long before it expires. */
        @WithDefault("30d")
        Duration renewBefore();

        /** Self-managed: start a CA rotation this long before the CA expires. */
        @WithDefault("90d")
        Duration caRenewBefore();

        /**
         * Self-managed: during a CA rotation, how long the new CA must have been in the webhook's
         * caBundle before the serving certificate switches to it (time for every API server to see it).
         */
        @WithDefault("5m")
        Duration caPropagationDelay();

        /** Self-managed: how often the leader checks the Secret and the caBundle (it also reacts to changes at once). */
        @WithDefault("10m")
        Duration checkInterval();

        /** Self-managed: the coordination.k8s.io Lease that picks the one replica that writes. */
        @WithDefault("first-ordinal-tls")
        String leaseName();

        /** Self-managed: how long a leader's Lease holds without renewal. */
        @WithDefault("15s")
        Duration leaseDuration();

        /** Self-managed: how long the leader keeps retrying a renewal before giving up leadership. */
        @WithDefault("10s")
        Duration leaseRenewDeadline();

        /** Self-managed: how often candidates retry acquiring or renewing the Lease. */
        @WithDefault("2s")
        Duration leaseRetryPeriod();

        enum Engine {
            /** BoringSSL through netty-tcnative, falling back to {@link #JDK} where it cannot load. */
            OPENSSL,
            /** The JDK's own TLS (SunJSSE). */
            JDK
        }

        enum Mode {
            /** Serve the mounted files (a Secret from the certs command, cert-manager or your own tooling). */
            FILES,
            /** Keep the CA, the serving certificate and the caBundle up to date from inside the cluster. */
            SELF_MANAGED
        }
    }

    interface Admission {
        /**
         * Largest AdmissionReview body accepted (3 MiB): etcd refuses objects over ~1.5 MiB, and the review
         * carries the object (and, for updates, the old object) in an envelope of a few KiB.
         */
        @WithDefault("3145728")
        int maxBodyBytes();

        /**
         * Bytes of request bodies that may be buffered at once, across all connections; a body that does not
         * fit gets a JSON 429 at once. Bodies over 256 KiB may use at most four fifths of it, so typical
         * reviews always find room. Sized for the image's 96 MiB heap (docs/operations-limits.md).
         */
        @WithDefault("20971520")
        long bodiesInFlightBytes();

        /** A connection must deliver a request's headers (the first ones: TLS handshake included) within this. */
        @WithDefault("5s")
        Duration headerTimeout();

        /** A request's body must arrive whole within this, counted from its headers; else JSON 408 and close. */
        @WithDefault("5s")
        Duration bodyTimeout();

        /** An answer the client does not take within this (its connection stops reading) closes the connection. */
        @WithDefault("10s")
        Duration stalledWriteTimeout();

        /** Open connections on the TLS port; more are closed at accept, before the TLS handshake. */
        @WithDefault("512")
        int maxConnections();

        /**
         * New connections a second each source address may open on the TLS port (bursts of as many); more are
         * closed at accept, before the TLS handshake. 0: no limit.
         */
        @WithDefault("100")
        int sourceConnectionRate();

        /** Open connections on the management port (probes, metrics); at the cap the oldest idle one is closed. */
        @WithDefault("64")
        int managementMaxConnections();

        /**
         * The management port (health, metrics), served by the connection guard's own server on all interfaces;
         * Quarkus' management interface listens on loopback only behind it. 0: any free port (tests).
         */
        @WithDefault("9000")
        int managementPort();
    }

    interface StatefulSetCache {
        /** Read start ordinals from an informer cache; off: every StatefulSet is assumed to start at 0. */
        @WithDefault("true")
        boolean enabled();

        /** Deadline of the one GET made for a StatefulSet not in the cache (at most 500ms). */
        @WithDefault("500ms")
        Duration getTimeout();
    }

    interface Repair {
        /**
         * Webhook mode's self-repair: the replica holding the repair Lease marks first-ordinal pods admission
         * missed and cleans first-ordinal's marks from pods no longer first. Off: admission only.
         */
        @WithDefault("true")
        boolean enabled();

        /** The coordination.k8s.io Lease, in the webhook's namespace, that picks the one replica that repairs. */
        @WithDefault("first-ordinal-repair")
        String leaseName();

        /** How often every watched pod is looked at again, regardless of events. */
        @WithDefault("1m")
        Duration resync();

        /** Namespaces never repaired, whatever their labels (the webhook's own namespace is always added). */
        @WithDefault("kube-system")
        List<String> excludedNamespaces();
    }

    interface Coverage {
        /** Compute per-namespace coverage periodically and export it as Prometheus gauges. */
        @WithDefault("true")
        boolean enabled();

        /** How often coverage is computed. */
        @WithDefault("5m")
        Duration interval();

        /**
         * How long after start the first run waits: listing namespaces and pods loads most of the
         * Kubernetes client's classes, which would otherwise compete with start-up for CPU.
         */
        @WithDefault("15s")
        Duration initialDelay();
    }
}

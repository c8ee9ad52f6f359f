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
    }

    interface Admission {
        /** Largest AdmissionReview body accepted; the API server sends at most about 3 MiB. */
        @WithDefault("10485760")
        int maxBodyBytes();
    }

    interface StatefulSetCache {
        /** Read start ordinals from an informer cache; off: every StatefulSet is assumed to start at 0. */
        @WithDefault("true")
        boolean enabled();

        /** Deadline of the one GET made for a StatefulSet not in the cache (at most 500ms). */
        @WithDefault("500ms")
        Duration getTimeout();
    }

    interface Coverage {
        /** Compute per-namespace coverage periodically and export it as Prometheus gauges. */
        @WithDefault("true")
        boolean enabled();

        /** How often coverage is computed. */
        @WithDefault("5m")
        Duration interval();
    }
}

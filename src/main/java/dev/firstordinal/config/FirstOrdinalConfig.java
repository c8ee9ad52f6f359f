package dev.firstordinal.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Settings under {@code first-ordinal.*} (env: {@code FIRST_ORDINAL_*}). Defaults live in application.properties too. */
@ConfigMapping(prefix = "first-ordinal")
public interface FirstOrdinalConfig {

    Label label();

    Hook hook();

    Tls tls();

    Admission admission();

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

        /**
         * How often the certificate files are checked; a changed, consistent pair is served to new
         * handshakes without a restart. Self-managed mode also reloads at once when the Secret changes.
         */
        @WithDefault("60s")
        Duration reloadPeriod();

    }

    interface Admission {
        /** Largest AdmissionReview body accepted; the API server sends at most about 3 MiB. */
        @WithDefault("10485760")
        int maxBodyBytes();
    }
}

package dev.firstordinal.cli;

import dev.firstordinal.certs.LocalhostCertificate;
import io.quarkus.runtime.Quarkus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Starts the webhook. When neither the configured certificate nor key file exists, and the
 * self-signed fallback is on (the default), it serves a generated localhost certificate and says
 * where its CA is: the embedded default that lets {@code java -jar} serve without a cluster.
 * Without any cluster configuration it runs without StatefulSet facts ({@link ClusterlessServe}).
 * It takes no arguments but {@code --help}: settings are properties and environment variables.
 */
@Command(name = "serve", description = {"run the admission webhook: HTTPS /mutate on 8443, health and metrics on 9000", "",
        "Settings are first-ordinal.* system properties (JAVA_OPTS=-D...) or FIRST_ORDINAL_* environment variables:"
                + " docs/configuration.md."},
        footer = {"", "Exit codes: runs until stopped (SIGTERM: graceful shutdown); 1 a setting or the TLS files are wrong;"
                + " 2 bad arguments."})
final class ServeCommand implements Callable<Integer> {

    @Mixin
    HelpOption help = new HelpOption();

    @Override
    public Integer call() {
        run(new String[0]);
        return TopLevel.SERVING;
    }

    static final String CERT_FILE = "first-ordinal.tls.cert-file";
    static final String KEY_FILE = "first-ordinal.tls.key-file";
    static final String FALLBACK = "first-ordinal.tls.self-signed-fallback";
    static final String FALLBACK_DIR = "first-ordinal.tls.self-signed-dir";
    static final String MODE = "first-ordinal.tls.mode";

    static void run(String[] args) {
        prepareTls();
        ClusterlessServe.prepare(System.err);
        Quarkus.run(args);
    }

    static void prepareTls() {
        if (setting(MODE, "files").replace('_', '-').equalsIgnoreCase("self-managed")) {
            return; // the certificate comes from the Secret, through the Kubernetes API, once Quarkus runs
        }
        Path cert = Path.of(setting(CERT_FILE, "/etc/first-ordinal/tls/tls.crt"));
        Path key = Path.of(setting(KEY_FILE, "/etc/first-ordinal/tls/tls.key"));
        boolean haveCert = Files.isRegularFile(cert);
        boolean haveKey = Files.isRegularFile(key);
        if (haveCert && haveKey) {
            return;
        }
        if (haveCert || haveKey) {
            Main.exit(System.err, 1, "first-ordinal: found " + (haveCert ? cert : key) + " but not "
                    + (haveCert ? key : cert) + "; mount both the certificate and the key (" + CERT_FILE + ", " + KEY_FILE + ")");
        }
        if (!Boolean.parseBoolean(setting(FALLBACK, "true"))) {
            Main.exit(System.err, 1, "first-ordinal: no TLS certificate at " + cert + " and the self-signed fallback is off ("
                    + FALLBACK + "=false); mount the webhook's Secret there or set " + CERT_FILE + " and " + KEY_FILE);
        }
        Path dir = Path.of(setting(FALLBACK_DIR, Path.of(System.getProperty("java.io.tmpdir"), "first-ordinal-tls").toString()));
        try {
            LocalhostCertificate.PemSet files = LocalhostCertificate.ensure(dir);
            System.setProperty(CERT_FILE, files.certificate().toString());
            System.setProperty(KEY_FILE, files.privateKey().toString());
            System.err.println("first-ordinal: no certificate at " + cert + "; serving a self-signed certificate for "
                    + "localhost. Its CA is " + files.caCertificate() + " (curl --cacert " + files.caCertificate() + " ...)");
        } catch (IOException e) {
            Main.exit(System.err, 1, "first-ordinal: cannot write a self-signed certificate to " + dir + ": " + e.getMessage());
        }
    }

    /** A setting from a system property, else its environment variable (FIRST_ORDINAL_TLS_CERT_FILE), else the default. */
    static String setting(String name, String defaultValue) {
        return Settings.get(name, defaultValue);
    }
}

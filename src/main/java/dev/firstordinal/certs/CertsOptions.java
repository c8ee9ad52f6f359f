package dev.firstordinal.certs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The {@code certs} command's options, parsed and checked. */
record CertsOptions(String service, String namespace, Path out, List<String> extraDnsNames, List<String> ipAddresses,
                    KeyType keyType, int days, int caDays, String secretName, String webhookConfiguration,
                    boolean force, boolean renew, boolean help) {

    static final String DEFAULT_SERVICE = "first-ordinal";
    static final String DEFAULT_NAMESPACE = "first-ordinal";
    static final String DEFAULT_OUT = "certs/out";
    static final String DEFAULT_SECRET = "first-ordinal-tls";
    static final String DEFAULT_WEBHOOK_CONFIGURATION = "first-ordinal";
    static final int DEFAULT_DAYS = 365;
    static final int DEFAULT_CA_DAYS = 3650;
    /** A hundred years: anything longer is a typo. */
    static final int MAX_DAYS = 36500;

    /** A bad command line: the message is one line, for stderr, and the exit code is 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static CertsOptions parse(List<String> args) throws UsageException {
        String service = DEFAULT_SERVICE;
        String namespace = DEFAULT_NAMESPACE;
        String out = DEFAULT_OUT;
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        String keyType = "ec";
        String days = null;
        String caDays = null;
        String secretName = DEFAULT_SECRET;
        String webhookConfiguration = DEFAULT_WEBHOOK_CONFIGURATION;
        boolean force = false;
        boolean renew = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            switch (name) {
                case "-h", "--help" -> {
                    return new CertsOptions(service, namespace, Path.of(out), dns, ips, KeyType.EC_P256, DEFAULT_DAYS,
                            DEFAULT_CA_DAYS, secretName, webhookConfiguration, false, false, true);
                }
                case "--force" -> force = flag(name, inline);
                case "--renew" -> renew = flag(name, inline);
                case "--service", "--namespace", "--out", "--dns", "--ip", "--key-type", "--days", "--ca-days",
                     "--secret-name", "--webhook-configuration" -> {
                    String value = inline;
                    if (value == null) {
                        if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                            throw new UsageException("option " + name + " needs a value");
                        }
                        value = args.get(++i);
                    }
                    switch (name) {
                        case "--service" -> service = value;
                        case "--namespace" -> namespace = value;
                        case "--out" -> out = value;
                        case "--dns" -> dns.addAll(list(value));
                        case "--ip" -> ips.addAll(list(value));
                        case "--key-type" -> keyType = value;
                        case "--days" -> days = value;
                        case "--ca-days" -> caDays = value;
                        case "--secret-name" -> secretName = value;
                        default -> webhookConfiguration = value;
                    }
                }
                default -> throw new UsageException(arg.startsWith("-")
                        ? "unknown option " + name
                        : "unexpected argument '" + arg + "' (options start with --)");
            }
        }
        if (force && renew) {
            throw new UsageException("--force and --renew exclude each other: --renew keeps the CA, --force replaces it");
        }
        if (renew && caDays != null) {
            throw new UsageException("--ca-days has no effect with --renew: the existing CA is kept");
        }
        if (out.isBlank()) {
            throw new UsageException("--out needs a directory");
        }
        int serving = days("--days", days, DEFAULT_DAYS);
        int authority = days("--ca-days", caDays, DEFAULT_CA_DAYS);
        if (!renew && serving > authority) {
            throw new UsageException("--days " + serving + " is longer than --ca-days " + authority
                    + ": the serving certificate would outlive its CA");
        }
        try {
            ServiceDnsNames.requireServiceName(service);
            ServiceDnsNames.requireNamespace(namespace);
            dns.replaceAll(ServiceDnsNames::requireDnsName);
            List<String> checkedIps = ServiceDnsNames.ipAddresses(ips);
            requireObjectName("--secret-name", secretName);
            requireObjectName("--webhook-configuration", webhookConfiguration);
            return new CertsOptions(service, namespace, Path.of(out), List.copyOf(dns), checkedIps,
                    KeyType.fromOption(keyType), serving, authority, secretName, webhookConfiguration, force, renew, false);
        } catch (java.nio.file.InvalidPathException e) {
            throw new UsageException("invalid --out directory '" + out + "': " + e.getReason());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static boolean flag(String name, String inline) throws UsageException {
        if (inline != null) {
            throw new UsageException("option " + name + " takes no value");
        }
        return true;
    }

    private static List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static int days(String option, String value, int defaultValue) throws UsageException {
        if (value == null) {
            return defaultValue;
        }
        try {
            int days = Integer.parseInt(value.trim());
            if (days >= 1 && days <= MAX_DAYS) {
                return days;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException(option + " must be a whole number of days from 1 to " + MAX_DAYS + ", got '" + value + "'");
    }

    private static void requireObjectName(String option, String name) {
        try {
            ServiceDnsNames.requireDnsName(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " '" + name + "' is not a valid Kubernetes object name");
        }
        if (name.startsWith("*") || !name.equals(name.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException(option + " '" + name + "' is not a valid Kubernetes object name");
        }
    }
}

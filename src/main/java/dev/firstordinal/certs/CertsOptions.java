package dev.firstordinal.certs;

import dev.firstordinal.cli.NamespaceNames;
import dev.firstordinal.cli.UsageException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The {@code certs} command's options, checked: made by {@link #of(CertsArguments)}. */
record CertsOptions(String service, String namespace, Path out, List<String> extraDnsNames, List<String> ipAddresses,
                    KeyType keyType, int days, int caDays, String secretName, String webhookConfiguration,
                    boolean force, boolean renew) {

    static final String DEFAULT_SERVICE = "first-ordinal";
    static final String DEFAULT_NAMESPACE = "first-ordinal";
    static final String DEFAULT_OUT = "certs/out";
    static final String DEFAULT_SECRET = "first-ordinal-tls";
    static final String DEFAULT_WEBHOOK_CONFIGURATION = "first-ordinal";
    static final int DEFAULT_DAYS = 365;
    static final int DEFAULT_CA_DAYS = 3650;
    /** A hundred years: anything longer is a typo. */
    static final int MAX_DAYS = 36500;

    /** Checks the parsed arguments, alone and together. */
    static CertsOptions of(CertsArguments a) throws UsageException {
        String out = a.out;
        List<String> dns = new ArrayList<>(list(a.dns));
        List<String> ips = list(a.ips);
        if (a.force && a.renew) {
            throw new UsageException("--force and --renew exclude each other: --renew keeps the CA, --force replaces it");
        }
        if (a.renew && a.caDays != null) {
            throw new UsageException("--ca-days has no effect with --renew: the existing CA is kept");
        }
        if (out.isBlank()) {
            throw new UsageException("--out needs a directory");
        }
        int serving = days("--days", a.days, DEFAULT_DAYS);
        int authority = days("--ca-days", a.caDays, DEFAULT_CA_DAYS);
        if (!a.renew && serving > authority) {
            throw new UsageException("--days " + serving + " is longer than --ca-days " + authority
                    + ": the serving certificate would outlive its CA");
        }
        NamespaceNames.check("--namespace", List.of(a.namespace));
        try {
            ServiceDnsNames.requireServiceName(a.service);
            dns.replaceAll(ServiceDnsNames::requireDnsName);
            List<String> checkedIps = ServiceDnsNames.ipAddresses(ips);
            requireObjectName("--secret-name", a.secretName);
            requireObjectName("--webhook-configuration", a.webhookConfiguration);
            return new CertsOptions(a.service, a.namespace, Path.of(out), List.copyOf(dns), checkedIps,
                    KeyType.fromOption(a.keyType), serving, authority, a.secretName, a.webhookConfiguration, a.force, a.renew);
        } catch (java.nio.file.InvalidPathException e) {
            throw new UsageException("invalid --out directory '" + out + "': " + e.getReason());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static List<String> list(List<String> values) {
        return values == null ? List.of() : values.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
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

package dev.firstordinal.certs;

import dev.firstordinal.cli.NamespaceNames;
import org.bouncycastle.util.IPAddress;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The DNS names a webhook Service answers to, and checks of user-given names. The API server dials
 * {@code <service>.<namespace>.svc}; the shorter and longer forms are there for clients inside the cluster.
 */
public final class ServiceDnsNames {

    private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final int MAX_LABEL = 63;
    private static final int MAX_NAME = 253;

    private ServiceDnsNames() {
    }

    /**
     * {@code <svc>}, {@code <svc>.<ns>}, {@code <svc>.<ns>.svc}, {@code <svc>.<ns>.svc.cluster.local}, then
     * {@code extra} (lower-cased, duplicates dropped). The service name comes first: it becomes the subject CN.
     *
     * @throws IllegalArgumentException naming the first invalid name
     */
    public static List<String> of(String service, String namespace, List<String> extra) {
        requireServiceName(service);
        requireNamespace(namespace);
        LinkedHashSet<String> names = new LinkedHashSet<>(List.of(
                service,
                service + "." + namespace,
                service + "." + namespace + ".svc",
                service + "." + namespace + ".svc.cluster.local"));
        for (String name : extra) {
            names.add(requireDnsName(name));
        }
        return List.copyOf(names);
    }

    /** The name the API server verifies: {@code <service>.<namespace>.svc}. */
    public static String apiServerName(String service, String namespace) {
        return service + "." + namespace + ".svc";
    }

    /** A Service name is a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, at most 63. */
    public static String requireServiceName(String name) {
        if (name == null || name.length() > MAX_LABEL || !DNS_1035_LABEL.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid service name '" + name
                    + "': use at most 63 lower-case letters, digits and '-', starting with a letter");
        }
        return name;
    }

    /** A namespace name is a DNS-1123 label ({@link NamespaceNames#isValid}). */
    public static String requireNamespace(String name) {
        if (!NamespaceNames.isValid(name)) {
            throw new IllegalArgumentException("invalid namespace '" + name
                    + "': use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit");
        }
        return name;
    }

    /** A DNS name (RFC 1123 subdomain), optionally starting with a {@code *.} wildcard; returned lower-cased. */
    public static String requireDnsName(String name) {
        String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
        String rest = lower.startsWith("*.") ? lower.substring(2) : lower;
        boolean valid = !rest.isEmpty() && lower.length() <= MAX_NAME;
        for (String label : rest.split("\\.", -1)) {
            valid &= label.length() <= MAX_LABEL && DNS_1123_LABEL.matcher(label).matches();
        }
        if (!valid) {
            throw new IllegalArgumentException("invalid DNS name '" + name + "': use dot-separated labels of lower-case "
                    + "letters, digits and '-' (an optional leading '*.' for a wildcard)");
        }
        return lower;
    }

    /** A literal IPv4 or IPv6 address (never resolved). */
    public static String requireIpAddress(String address) {
        if (address == null || !IPAddress.isValid(address)) {
            throw new IllegalArgumentException("invalid IP address '" + address + "': give a literal IPv4 or IPv6 address");
        }
        return address;
    }

    /** Valid IP address literals, in order, without duplicates. */
    public static List<String> ipAddresses(List<String> addresses) {
        List<String> out = new ArrayList<>();
        for (String address : addresses) {
            if (!out.contains(requireIpAddress(address))) {
                out.add(address);
            }
        }
        return out;
    }
}

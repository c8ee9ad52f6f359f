package dev.firstordinal.certs.rotation;

import dev.firstordinal.certs.KeyType;

import java.time.Duration;
import java.util.List;

/**
 * How self-managed mode issues and renews: names, key type, validities and lead times.
 *
 * @param dnsNames           names the serving certificate must carry
 * @param validity           serving certificate validity (shortened so it never outlives its CA)
 * @param caValidity         CA validity
 * @param renewBefore        renew the serving certificate this long before it expires
 * @param caRenewBefore      start a CA rotation this long before the CA expires
 * @param caPropagationDelay how long a new CA sits in the caBundle before the serving certificate switches to it
 */
public record RotationPolicy(List<String> dnsNames, KeyType keyType, Duration validity, Duration caValidity,
                             Duration renewBefore, Duration caRenewBefore, Duration caPropagationDelay) {

    /**
     * @throws IllegalArgumentException (one line, naming the setting) when the durations cannot work together
     */
    public RotationPolicy {
        dnsNames = List.copyOf(dnsNames);
        if (dnsNames.isEmpty()) {
            throw new IllegalArgumentException("the serving certificate needs at least one DNS name");
        }
        positive("validity", validity);
        positive("ca-validity", caValidity);
        positive("renew-before", renewBefore);
        positive("ca-renew-before", caRenewBefore);
        if (caPropagationDelay.isNegative()) {
            throw new IllegalArgumentException("first-ordinal.tls.ca-propagation-delay must not be negative, got " + format(caPropagationDelay));
        }
        if (renewBefore.compareTo(validity) >= 0) {
            throw new IllegalArgumentException("first-ordinal.tls.renew-before (" + format(renewBefore)
                    + ") must be shorter than first-ordinal.tls.validity (" + format(validity) + ")");
        }
        if (caRenewBefore.compareTo(caValidity) >= 0) {
            throw new IllegalArgumentException("first-ordinal.tls.ca-renew-before (" + format(caRenewBefore)
                    + ") must be shorter than first-ordinal.tls.ca-validity (" + format(caValidity) + ")");
        }
        if (caRenewBefore.compareTo(renewBefore.plus(caPropagationDelay)) <= 0) {
            throw new IllegalArgumentException("first-ordinal.tls.ca-renew-before (" + format(caRenewBefore)
                    + ") must be longer than renew-before plus ca-propagation-delay (" + format(renewBefore.plus(caPropagationDelay))
                    + "), so that a CA rotation completes before the serving certificate is due");
        }
    }

    /** A duration as it is configured: {@code 30d}, {@code 12h}, {@code 5m}, {@code 90s}. */
    public static String format(Duration duration) {
        long seconds = duration.getSeconds();
        if (seconds != 0 && seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds != 0 && seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds != 0 && seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return duration.getNano() == 0 ? seconds + "s" : duration.toMillis() + "ms";
    }

    private static void positive(String name, Duration value) {
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException("first-ordinal.tls." + name + " must be positive, got " + format(value));
        }
    }
}

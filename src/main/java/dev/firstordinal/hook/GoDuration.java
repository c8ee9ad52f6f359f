package dev.firstordinal.hook;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Go duration string as Velero parses {@code pre.hook.backup.velero.io/timeout}: one or more
 * decimal numbers each with a unit ({@code 300s}, {@code 5m}, {@code 1h30m}). A bare number has
 * no unit and Velero silently ignores it, so it is rejected here.
 */
public record GoDuration(String text, Duration duration) {

    private static final Pattern WHOLE = Pattern.compile("(?:[0-9]+(?:\\.[0-9]*)?(?:ns|us|µs|ms|s|m|h))+");
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]*)?)(ns|us|µs|ms|s|m|h)");

    public static GoDuration parse(String text) {
        if (text == null || !WHOLE.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a Go duration with a unit, such as 300s or 5m");
        }
        BigDecimal nanos = BigDecimal.ZERO;
        Matcher part = PART.matcher(text);
        while (part.find()) {
            nanos = nanos.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(nanosPer(part.group(2)))));
        }
        if (nanos.compareTo(MAX_NANOS) > 0) {
            // Go's time.ParseDuration refuses it ("invalid duration"), so Velero would ignore the annotation.
            throw new IllegalArgumentException("'" + text + "' is longer than the longest Go duration, 2562047h47m16.854775807s");
        }
        Duration duration = Duration.ofNanos(nanos.longValue());
        if (duration.isZero()) {
            throw new IllegalArgumentException("'" + text + "' is zero; the hook needs time to run");
        }
        return new GoDuration(text, duration);
    }

    private static long nanosPer(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
        };
    }

    @Override
    public String toString() {
        return text;
    }
}

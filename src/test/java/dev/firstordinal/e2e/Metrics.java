package dev.firstordinal.e2e;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one series from Prometheus text: the sum over every line of {@code name} whose labels contain {@code labels}. */
final class Metrics {

    private Metrics() {
    }

    static double sum(String text, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? ([-0-9.E+]+)$").matcher(text);
        double sum = 0;
        while (m.find()) {
            if (labels.isEmpty() || (m.group(1) != null && m.group(1).contains(labels))) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }
}

package dev.firstordinal.cli;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The one check of namespace names that every command's namespace options use: a namespace name
 * is an RFC 1123 label, as the API server validates it (lower-case letters, digits and {@code -},
 * starting and ending alphanumeric, at most 63 characters).
 */
public final class NamespaceNames {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private NamespaceNames() {
    }

    public static boolean isValid(String name) {
        return name != null && name.length() <= 63 && LABEL.matcher(name).matches();
    }

    /** Each name, or a usage error naming the option and the first name the API server would refuse. */
    public static List<String> check(String option, List<String> names) throws UsageException {
        for (String name : names) {
            if (!isValid(name)) {
                throw new UsageException(option + " '" + name + "' is not a valid namespace name (lower-case letters, digits and '-',"
                        + " starting and ending with a letter or digit, at most 63 characters)");
            }
        }
        return names;
    }
}

package dev.firstordinal.cli;

/**
 * A CLI setting from, in order: a command-line value, the system property named like the
 * server's configuration ({@code first-ordinal.label.key}), its environment variable
 * ({@code FIRST_ORDINAL_LABEL_KEY}), a default. So the same Deployment env works for every mode.
 */
public final class Settings {

    private Settings() {
    }

    /** The system property, else its environment variable, else {@code defaultValue}. */
    public static String get(String property, String defaultValue) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(envName(property));
        }
        return value == null || value.isBlank() ? defaultValue : value;
    }

    /** {@code given} (an option's value) when set, else {@link #get(String, String)}. */
    public static String get(String given, String property, String defaultValue) {
        return given != null ? given : get(property, defaultValue);
    }

    /** {@code first-ordinal.label.key} becomes {@code FIRST_ORDINAL_LABEL_KEY}. */
    public static String envName(String property) {
        return property.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}

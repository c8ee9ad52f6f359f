package dev.firstordinal.project;

import dev.firstordinal.config.FirstOrdinalConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md lists exactly the {@code first-ordinal.*} properties the code has: those of the
 * {@link FirstOrdinalConfig} mapping (read by reflection, as SmallRye Config names them) and those set in
 * application.properties, each with the default the code gives it.
 */
class ConfigurationReferenceTest {

    private static final Path REFERENCE = Path.of("docs/configuration.md");
    private static final Path PROPERTIES = Path.of("src/main/resources/application.properties");
    private static final Pattern ROW = Pattern.compile("(?m)^\\| `(first-ordinal\\.[a-z0-9.-]+)`[^|]*\\| ([^|]*?) \\|");

    /** SmallRye's default naming: camelCase method names become kebab-case. */
    static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** Property name → {@code @WithDefault} value (null when none), walking nested groups. */
    static Map<String, String> mappedProperties() {
        Map<String, String> properties = new TreeMap<>();
        walk(FirstOrdinalConfig.class.getAnnotation(ConfigMapping.class).prefix(), FirstOrdinalConfig.class, properties);
        return properties;
    }

    private static void walk(String prefix, Class<?> group, Map<String, String> into) {
        for (Method method : group.getMethods()) {
            if (method.isDefault() || Modifier.isStatic(method.getModifiers()) || method.getParameterCount() != 0) {
                continue;
            }
            String name;
            if (method.isAnnotationPresent(WithParentName.class)) {
                name = prefix;
            } else if (method.isAnnotationPresent(WithName.class)) {
                name = prefix + "." + method.getAnnotation(WithName.class).value();
            } else {
                name = prefix + "." + kebab(method.getName());
            }
            Class<?> type = method.getReturnType();
            if (type.isInterface() && type.getName().startsWith("dev.firstordinal.")) {
                walk(name, type, into);
            } else {
                WithDefault def = method.getAnnotation(WithDefault.class);
                into.put(name, def == null ? null : def.value());
            }
        }
    }

    /** first-ordinal.* properties set in application.properties for every profile (not %test. and the like). */
    static Map<String, String> applicationProperties() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(PROPERTIES)) {
            properties.load(reader);
        }
        Map<String, String> result = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("first-ordinal.")) {
                result.put(key, properties.getProperty(key));
            }
        }
        return result;
    }

    /** Property → its default cell, as the reference states them. */
    static Map<String, String> documented() throws IOException {
        Map<String, String> rows = new TreeMap<>();
        Matcher row = ROW.matcher(Files.readString(REFERENCE));
        while (row.find()) {
            assertThat(rows.put(row.group(1), row.group(2).strip())).as("%s listed twice", row.group(1)).isNull();
        }
        return rows;
    }

    @Test
    void theMappingIsReadAsSmallRyeNamesIt() {
        Map<String, String> mapped = mappedProperties();
        assertThat(mapped).containsEntry("first-ordinal.hook.timeout", "300s")
                .containsEntry("first-ordinal.statefulset-cache.get-timeout", "500ms")
                .containsEntry("first-ordinal.tls.lease-renew-deadline", "10s")
                .containsKey("first-ordinal.namespaces")
                .containsEntry("first-ordinal.exit-after-start", "false");
    }

    @Test
    void theReferenceListsExactlyThePropertiesOfTheCode() throws IOException {
        Map<String, String> code = new TreeMap<>(mappedProperties());
        applicationProperties().keySet().forEach(k -> code.putIfAbsent(k, null));
        Map<String, String> documented = documented();

        assertThat(documented.keySet()).as("in the code but not in %s", REFERENCE).containsAll(code.keySet());
        assertThat(code.keySet()).as("in %s but not in the code", REFERENCE).containsAll(documented.keySet());
    }

    @Test
    void theReferenceStatesTheDefaultTheCodeGives() throws IOException {
        Map<String, String> defaults = new TreeMap<>();
        mappedProperties().forEach((k, v) -> {
            if (v != null) {
                defaults.put(k, v);
            }
        });
        defaults.putAll(applicationProperties());
        Map<String, String> documented = documented();
        defaults.forEach((property, value) -> assertThat(documented.get(property))
                .as("default of %s in %s", property, REFERENCE).isEqualTo("`" + value + "`"));
    }
}

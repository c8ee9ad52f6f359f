package dev.firstordinal.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Command-line options of a {@link CliCommand}: {@code --name value}, {@code --name=value},
 * short aliases ({@code -n value}) and flags. Anything else starting with {@code -} (but
 * {@code -} alone, which means stdin) is an unknown option.
 */
public final class Args {

    private final Map<String, List<String>> values;
    private final Set<String> flags;
    private final List<String> positional;

    private Args(Map<String, List<String>> values, Set<String> flags, List<String> positional) {
        this.values = values;
        this.flags = flags;
        this.positional = positional;
    }

    public static Spec spec() {
        return new Spec();
    }

    /** The last value given for an option. */
    public Optional<String> value(String name) {
        List<String> given = values.getOrDefault(name, List.of());
        return given.isEmpty() ? Optional.empty() : Optional.of(given.get(given.size() - 1));
    }

    /** Every value given for an option, comma-separated ones split. */
    public List<String> values(String name) {
        List<String> all = new ArrayList<>();
        for (String value : values.getOrDefault(name, List.of())) {
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    all.add(part.trim());
                }
            }
        }
        return all;
    }

    public boolean has(String name) {
        return flags.contains(name) || values.containsKey(name);
    }

    public List<String> positional() {
        return positional;
    }

    /** The options a command accepts. */
    public static final class Spec {
        private final Map<String, String> names = new HashMap<>();
        private final Set<String> takesValue = new HashSet<>();

        public Spec value(String name, String... aliases) {
            takesValue.add(name);
            return flag(name, aliases);
        }

        public Spec flag(String name, String... aliases) {
            names.put(name, name);
            for (String alias : aliases) {
                names.put(alias, name);
            }
            return this;
        }

        public Args parse(List<String> argv) throws UsageException {
            Map<String, List<String>> values = new LinkedHashMap<>();
            Set<String> flags = new HashSet<>();
            List<String> positional = new ArrayList<>();
            for (int i = 0; i < argv.size(); i++) {
                String token = argv.get(i);
                if (!token.startsWith("-") || token.equals("-")) {
                    positional.add(token);
                    continue;
                }
                String given = token;
                String inline = null;
                int equals = token.indexOf('=');
                if (token.startsWith("--") && equals > 0) {
                    given = token.substring(0, equals);
                    inline = token.substring(equals + 1);
                }
                String name = names.get(given);
                if (name == null) {
                    throw new UsageException("unknown option '" + given + "'");
                }
                if (!takesValue.contains(name)) {
                    if (inline != null) {
                        throw new UsageException("option " + given + " takes no value");
                    }
                    flags.add(name);
                    continue;
                }
                if (inline == null) {
                    if (i + 1 >= argv.size()) {
                        throw new UsageException("option " + given + " needs a value");
                    }
                    inline = argv.get(++i);
                }
                values.computeIfAbsent(name, k -> new ArrayList<>()).add(inline);
            }
            return new Args(values, flags, positional);
        }
    }

    /** Bad arguments: the command prints the one-line message and exits with {@link CliCommand#USAGE_ERROR}. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message, null, false, false);
        }
    }
}

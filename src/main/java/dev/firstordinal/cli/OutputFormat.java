package dev.firstordinal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.util.List;

/**
 * {@code -o/--output} as kubectl has it: a command's own human-readable form by default, or the
 * same facts as {@code json} or {@code yaml}. One parser and one printer for every command that
 * takes it ({@code audit}, {@code preview}).
 */
public enum OutputFormat {
    HUMAN, JSON, YAML;

    /**
     * The format {@code value} names; {@code null} (no {@code -o}) is {@link #HUMAN}, which the
     * command calls {@code human} ({@code table}, {@code text}).
     */
    public static OutputFormat of(String value, String human) throws UsageException {
        if (value == null || value.equals(human)) {
            return HUMAN;
        }
        return switch (value) {
            case "json" -> JSON;
            case "yaml" -> YAML;
            default -> throw new UsageException("output format '" + value + "' is not " + human + ", json or yaml");
        };
    }

    /** The values {@code -o} takes, the human form first: for help and completion. */
    public static List<String> names(String human) {
        return List.of(human, "json", "yaml");
    }

    /** {@code node} as this format prints it (JSON or YAML; not for {@link #HUMAN}), ending in a newline. */
    public String print(JsonNode node) {
        try {
            return switch (this) {
                case JSON -> node.toPrettyString() + "\n";
                case YAML -> new YAMLMapper().writeValueAsString(node);
                case HUMAN -> throw new IllegalStateException("the human form is the command's own");
            };
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.firstordinal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;

/**
 * How the commands that print manifests ({@code policy}, {@code schedule}) write YAML: no {@code ---} at the start,
 * quotes only where needed, multi-line strings (CEL, the hook script) as literal blocks, no line splitting.
 */
public final class ManifestYaml {

    public static final ObjectMapper MAPPER = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build());

    private ManifestYaml() {
    }

    /** Builds a manifest's YAML from a command's options. */
    @FunctionalInterface
    public interface Render {
        String yaml() throws UsageException;
    }

    /**
     * Renders a manifest and prints it to the command's output: the body of every manifest-printing command.
     *
     * @param render builds the YAML; an {@link IllegalArgumentException} from it (a bad setting) is a usage error
     * @return the exit code, 0
     */
    public static int print(CommandSpec spec, Render render) throws UsageException {
        String yaml;
        try {
            yaml = render.yaml();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(yaml);
        out.flush();
        return 0;
    }
}

package dev.firstordinal.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The {@code deploy/} directory of this repository and the files in it. */
final class DeployTree {

    static final Path ROOT = Path.of("deploy").toAbsolutePath().normalize();
    static final Path BASE = ROOT.resolve("kubernetes/base");
    static final Path OVERLAYS = ROOT.resolve("kubernetes/overlays");
    static final Path CHART = ROOT.resolve("helm/first-ordinal");
    static final Path VELERO = ROOT.resolve("velero");
    static final Path EXAMPLE = ROOT.resolve("examples/redis-sentinel");

    private DeployTree() {
    }

    /** Every {@code .yaml}/{@code .yml} file under deploy/, except Helm templates (Go templates, not YAML). */
    static List<Path> yamlFiles() {
        return files(p -> {
            String name = p.getFileName().toString();
            return (name.endsWith(".yaml") || name.endsWith(".yml")) && !isHelmTemplate(p);
        });
    }

    /** Every kustomization.yaml (Kustomizations and Components) under deploy/. */
    static List<Path> kustomizations() {
        return files(p -> p.getFileName().toString().equals("kustomization.yaml"));
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String relative(Path file) {
        return ROOT.getParent().relativize(file).toString();
    }

    private static boolean isHelmTemplate(Path p) {
        Path rel = ROOT.relativize(p);
        return rel.startsWith("helm") && rel.toString().contains("/templates/");
    }

    private static List<Path> files(java.util.function.Predicate<Path> filter) {
        if (!Files.isDirectory(ROOT)) {
            throw new IllegalStateException("no deploy/ directory at " + ROOT + ": run the tests from the project root");
        }
        try (Stream<Path> walk = Files.walk(ROOT)) {
            return walk.filter(Files::isRegularFile).filter(filter).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

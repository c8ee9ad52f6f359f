package dev.firstordinal.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The JVM flags the container image runs with (Dockerfile.jvm's JAVA_OPTS_APPEND), for *IT tests that must see the shipped heap. */
public final class ImageJvm {

    private ImageJvm() {
    }

    /** The flags, without the AOT cache (it exists only inside the image). */
    public static List<String> flags() throws IOException {
        Matcher m = Pattern.compile("(?m)^ENV JAVA_OPTS_APPEND=\"(.*)\"$").matcher(Files.readString(Path.of("Dockerfile.jvm")));
        if (!m.find()) {
            throw new IllegalStateException("Dockerfile.jvm has no ENV JAVA_OPTS_APPEND line");
        }
        List<String> flags = new ArrayList<>();
        for (String flag : m.group(1).trim().split("\\s+")) {
            if (!flag.startsWith("-XX:AOTCache=")) {
                flags.add(flag);
            }
        }
        if (!flags.contains("-Xmx96m") || !flags.contains("-XX:+ExitOnOutOfMemoryError")) {
            throw new IllegalStateException("expected the image's -Xmx96m and -XX:+ExitOnOutOfMemoryError in " + flags);
        }
        return flags;
    }
}

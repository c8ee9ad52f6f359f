package dev.firstordinal.hook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HookScriptTest {

    @ParameterizedTest(name = "timeout {0}s -> deadline {1}s")
    @CsvSource(textBlock = """
            300,  270
            600,  570
            30,   27
            10,   8
            2,    1
            1,    1
            """)
    void givesUpALittleBeforeVelerosTimeout(long timeout, long deadline) {
        assertThat(HookScript.deadlineSeconds(Duration.ofSeconds(timeout))).isEqualTo(deadline);
    }

    @Test
    void embedsTheDeadlineAndRunsUnderShWithoutComments() {
        List<String> argv = HookScript.argv(Duration.ofSeconds(300));
        assertThat(argv).hasSize(3).startsWith("/bin/sh", "-c");
        String script = argv.get(2);
        assertThat(script).contains("270").doesNotContain(HookScript.DEADLINE_TOKEN);
        assertThat(script.lines()).noneMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"));
        assertThat(HookScript.isOurs(script)).isTrue();
    }

    @Test
    void staysWellUnderTheAnnotationSizeLimit() {
        assertThat(HookScript.script(Duration.ofSeconds(300)).length()).isLessThan(8 * 1024);
    }

    @Test
    void stripsOnlyWholeLineComments() {
        assertThat(HookScript.stripComments("# heading\n  # indented\n\necho '#not a comment' # trailing\n"))
                .isEqualTo("echo '#not a comment' # trailing\n");
    }
}

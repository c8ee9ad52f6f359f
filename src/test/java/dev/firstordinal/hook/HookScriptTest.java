package dev.firstordinal.hook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HookScriptTest {

    @ParameterizedTest(name = "timeout {0}s -> deadline {1}s")
    @CsvSource(textBlock = """
            300,  270
            600,  570
            30,   27
            10,   8
            4,    2
            3,    1
            """)
    void givesUpALittleBeforeVelerosTimeout(long timeout, long deadline) {
        assertThat(HookScript.deadlineSeconds(Duration.ofSeconds(timeout))).isEqualTo(deadline);
    }

    /** Issue 19, lesser: a 1s timeout left a deadline of 1 s, no margin before Velero's kill. */
    @ParameterizedTest(name = "timeout {0} is refused")
    @ValueSource(strings = {"2s", "1s", "2900ms", "1ms"})
    void refusesATimeoutThatLeavesNoMargin(String timeout) {
        assertThatThrownBy(() -> new HookAnnotations("Fail", GoDuration.parse(timeout)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is too short: the hook needs at least 3s");
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

    @Test
    void stripsIndentation() {
        assertThat(HookScript.stripComments("f() {\n  echo 'a  b'\n\t\tx=1\n}\n")).isEqualTo("f() {\necho 'a  b'\nx=1\n}\n");
    }
}

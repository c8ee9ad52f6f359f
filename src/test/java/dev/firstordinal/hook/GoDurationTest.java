package dev.firstordinal.hook;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GoDurationTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource(textBlock = """
            300s,   300000
            5m,     300000
            1h30m,  5400000
            1.5s,   1500
            250ms,  250
            2m30s,  150000
            2562047h, 9223369200000
            """)
    void parsesGoDurations(String text, long millis) {
        assertThat(GoDuration.parse(text).duration()).isEqualTo(Duration.ofMillis(millis));
        assertThat(GoDuration.parse(text).text()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"300", "", "5 m", "-5s", "5d", "s", "0s", "3000000h", "2562048h", "2562047h47m16.854775808s"})
    void rejectsWhatVeleroWouldIgnore(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.firstordinal.ordinal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicaTierTest {

    @ParameterizedTest
    @ValueSource(strings = {"app.kubernetes.io/component", "=replica", "component=", "Bad Key=replica", "component=not valid",
            "component=replica,"})
    void refusesAnEntryThatIsNotALabelKeyEqualsValueNamingIt(String setting) {
        assertThatThrownBy(() -> ReplicaTier.parse(setting))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("replica tier label '")
                .hasMessageEndingWith("' is not a label key=value (e.g. app.kubernetes.io/component=replica; 'none' turns the rule off)");
    }
}

package dev.firstordinal.ordinal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MarkingPolicyTest {

    @ParameterizedTest
    @ValueSource(strings = {"velero-backup-schedule", "backup.example.com/schedule", "a", "A_b.c-9"})
    void acceptsValidLabelKeys(String key) {
        assertThat(MarkingPolicy.isQualifiedName(key)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/x", "Example.com/x", "x/", "-x", "x-", "a/b/c", "has space"})
    void rejectsInvalidLabelKeys(String key) {
        assertThat(MarkingPolicy.isQualifiedName(key)).isFalse();
    }

    @Test
    void rejectsLabelValueLongerThan63Characters() {
        assertThat(MarkingPolicy.isLabelValue("a".repeat(63))).isTrue();
        assertThat(MarkingPolicy.isLabelValue("a".repeat(64))).isFalse();
    }

    @Test
    void refusesToStartWithAnInvalidSetting() {
        assertThatThrownBy(() -> MarkingPolicy.of("bad key", "redis", "Fail", "300s")).hasMessageContaining("label key");
        assertThatThrownBy(() -> MarkingPolicy.of("k", "bad value!", "Fail", "300s")).hasMessageContaining("label value");
        assertThatThrownBy(() -> MarkingPolicy.of("k", "v", "fail", "300s")).hasMessageContaining("Fail or Continue");
        assertThatThrownBy(() -> MarkingPolicy.of("k", "v", "Fail", "300")).hasMessageContaining("Go duration");
    }
}

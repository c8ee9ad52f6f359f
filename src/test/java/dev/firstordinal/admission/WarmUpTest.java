package dev.firstordinal.admission;

import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WarmUpTest {

    @Test
    void sampleReviewTakesThePatchingPath() throws Exception {
        AdmissionReviewHandler handler = new AdmissionReviewHandler(new FirstOrdinalRule(MarkingPolicy.defaults()), StartOrdinalLookup.ZERO);

        AdmissionReviewHandler.Answer answer = handler.handle(WarmUp.SAMPLE);

        assertThat(answer.patched()).as("the warm-up must load the classes a marked pod needs").isTrue();
        assertThat(answer.decision().orElseThrow().warnings()).isEmpty();
    }
}

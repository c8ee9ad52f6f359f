package dev.firstordinal.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One handler answering different pods in turn gives each the patch a fresh handler gives it: a reused patch never leaks. */
class PatchReuseTest {

    private static final List<String> IN_TURN = List.of(
            "first-ordinal-redis", "first-ordinal-redis", "container-annotation-chooses-container", "no-annotations-map",
            "no-labels-map", "existing-backup-label-not-overwritten", "first-ordinal-redis", "empty-annotations-map",
            "schedule-annotation-overrides-label-value", "first-ordinal-redis");

    @Test
    void eachPodGetsItsOwnPatchWhenOneHandlerAnswersThemInTurn() throws Exception {
        AdmissionReviewHandler shared = newHandler();
        for (String name : IN_TURN) {
            byte[] review = Fixtures.reviewBytes(name);
            JsonNode fromShared = Fixtures.tree(shared.handle(review).body());
            JsonNode fromFresh = Fixtures.tree(newHandler().handle(review).body());
            assertThat(fromShared.at("/response/patch").asText()).as(name).isNotEmpty()
                    .isEqualTo(fromFresh.at("/response/patch").asText());
        }
    }

    private static AdmissionReviewHandler newHandler() {
        return new AdmissionReviewHandler(new FirstOrdinalRule(MarkingPolicy.defaults()), StartOrdinalLookup.ZERO);
    }
}

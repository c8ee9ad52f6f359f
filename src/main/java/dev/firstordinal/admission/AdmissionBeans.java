package dev.firstordinal.admission;

import dev.firstordinal.config.FirstOrdinalConfig;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Builds the pure core from configuration; invalid settings stop the start with a clear message. */
public class AdmissionBeans {

    @Produces
    @Singleton
    FirstOrdinalRule firstOrdinalRule(FirstOrdinalConfig config) {
        try {
            return new FirstOrdinalRule(MarkingPolicy.of(config.label().key(), config.label().value(),
                    config.hook().onError(), config.hook().timeout(), config.replicaTierLabels(),
                    config.hook().mode()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("invalid first-ordinal configuration: " + e.getMessage(), e);
        }
    }

    @Produces
    @Singleton
    AdmissionReviewHandler admissionReviewHandler(FirstOrdinalRule rule, StartOrdinalLookup starts) {
        return new AdmissionReviewHandler(rule, starts);
    }
}

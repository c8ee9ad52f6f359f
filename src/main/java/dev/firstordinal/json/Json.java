package dev.firstordinal.json;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The project's one JSON mapper: built once, thread-safe, with tight nesting limits, refusing duplicate keys and
 * writing only ASCII. The admission path reads and answers reviews with it; every other JSON the project reads or
 * writes (hook annotations, CEL literals, patches, reports) goes through it too, so that all of it is escaped alike.
 */
public final class Json {

    /** Real pods nest a few dozen levels; anything deeper is an attack or a bug. */
    public static final int MAX_NESTING_DEPTH = 200;

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            // A key twice in one object is read as its last value by the API server (Go) and as its first
            // by a streaming reader: never guess which was meant. API servers never send one; a 400 loses nothing.
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Answers echo pod-supplied text (names, in warnings). Jackson reads some invalid UTF-8 into
            // lone surrogates; escaping everything above ASCII keeps every answer valid, re-readable JSON.
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .build());
    }

    private Json() {
    }
}

package dev.firstordinal.admission;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/** Typed reads of the current token for the streaming readers; a wrong JSON type is a {@link BadAdmissionReview}. */
final class JsonTokens {

    private JsonTokens() {
    }

    /** A string field: scalars are taken as their text (as Jackson's binding does), objects and arrays are malformed. */
    static String text(JsonParser p, String what) throws IOException, BadAdmissionReview {
        JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token.isScalarValue()) {
            return p.getText();
        }
        throw malformed(p, what + " must be a string, not " + describe(token));
    }

    static Boolean bool(JsonParser p, String what) throws IOException, BadAdmissionReview {
        JsonToken token = p.currentToken();
        return switch (token) {
            case VALUE_NULL -> null;
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_STRING -> switch (p.getText()) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> throw malformed(p, what + " must be true or false, not \"" + p.getText() + "\"");
            };
            default -> throw malformed(p, what + " must be true or false, not " + describe(token));
        };
    }

    static void expect(JsonParser p, JsonToken expected, String message) throws BadAdmissionReview {
        if (p.currentToken() != expected) {
            throw malformed(p, message + ", not " + describe(p.currentToken()));
        }
    }

    static String describe(JsonToken token) {
        if (token == null) {
            return "the end of input";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "a list";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.asString() == null ? token.name() : token.asString();
        };
    }

    static BadAdmissionReview malformed(JsonParser p, String message) {
        var location = p.currentTokenLocation();
        return new BadAdmissionReview("malformed AdmissionReview: " + message
                + (location == null ? "" : " (at line " + location.getLineNr() + ", column " + location.getColumnNr() + ")"));
    }

    /** Jackson's own errors (syntax, nesting depth) with their location, as one line. */
    static BadAdmissionReview malformed(JsonProcessingException e) {
        var location = e.getLocation();
        return new BadAdmissionReview("malformed AdmissionReview: " + e.getOriginalMessage()
                + (location == null ? "" : " (at line " + location.getLineNr() + ", column " + location.getColumnNr() + ")"));
    }
}

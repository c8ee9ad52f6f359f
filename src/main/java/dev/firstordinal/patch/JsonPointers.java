package dev.firstordinal.patch;

/** RFC 6901 reference tokens: {@code ~} becomes {@code ~0} and {@code /} becomes {@code ~1}, in that order. */
public final class JsonPointers {

    private JsonPointers() {
    }

    public static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}

package dev.firstordinal.admission;

/**
 * Request-supplied text made safe for a log line: control characters (CR, LF, ESC, ...) escaped, so that no value
 * can end the line or forge one of its own in the plain-text console, and the length bounded, so that one review
 * cannot write a line as long as its body.
 */
public final class LogText {

    /** Characters of one value kept in a log line. */
    public static final int MAX_CHARS = 253;

    private LogText() {
    }

    /** {@code value} with control characters escaped ({@code \n}, {@code \x1b}, ...) and cut to {@link #MAX_CHARS}. */
    public static String of(String value) {
        if (value == null) {
            return "null";
        }
        String head = cut(value, MAX_CHARS);
        StringBuilder out = null;
        for (int i = 0; i < head.length(); i++) {
            char c = head.charAt(i);
            boolean control = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029';
            if (control && out == null) {
                out = new StringBuilder(head.length() + 16).append(head, 0, i);
            }
            if (!control) {
                if (out != null) {
                    out.append(c);
                }
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        String text = out == null ? head : out.toString();
        return head.length() < value.length() ? text + "...(" + value.length() + " chars)" : text;
    }

    /** The first {@code chars} characters of {@code text}, one fewer when that would split a surrogate pair. */
    static String cut(String text, int chars) {
        if (text.length() <= chars) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(chars - 1)) ? chars - 1 : chars;
        return text.substring(0, end);
    }
}

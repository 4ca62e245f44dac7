package org.modseqproxy.proxy.codec;

import java.nio.charset.StandardCharsets;

/** Character classes of RFC 9051 section 9 (RFC 3501 9), on raw bytes. */
final class ImapChars {
    private ImapChars() {}

    /** CTL = %x00-1F / %x7F (RFC 5234). */
    static boolean isCtl(byte c) {
        return (c >= 0 && c < 0x20) || c == 0x7f;
    }

    /**
     * Where a generic atom stops. RFC 9051: atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards /
     * quoted-specials / resp-specials. We are deliberately more lenient than ATOM-CHAR: list-wildcards
     * ("%", "*": LIST patterns, "1:*"), "\" (flags), "]" (ASTRING-CHAR) and 8-bit bytes (sloppy UTF-8
     * mailbox names) stay inside the atom; "[" opens a section that runs to its matching "]".
     */
    static boolean endsAtom(byte c) {
        return c == ' ' || c == '(' || c == ')' || c == '"' || c == '{' || isCtl(c);
    }

    /**
     * tag = 1*&lt;any ASTRING-CHAR except "+"&gt; (RFC 9051 9). ASTRING-CHAR = ATOM-CHAR / "]";
     * ATOM-CHAR = any CHAR (%x01-7F) except atom-specials.
     */
    static boolean isTagChar(byte c) {
        if (c <= 0x20 || c == 0x7f) { // CTL, SP and 8-bit (negative)
            return false;
        }
        return switch (c) {
            case '(', ')', '{', '%', '*', '"', '\\', '+' -> false;
            default -> true;
        };
    }

    static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /**
     * The tag {@code b[0, len)} starts with, or on the server's side its "*" or "+": how to name, in an error
     * report, a line that could not be parsed. Null when the line starts with no valid tag.
     */
    static String leadingTag(byte[] b, int len, boolean responses) {
        int p = 0;
        while (p < len && isTagChar(b[p])) {
            p++;
        }
        if (p > 0 && (p == len || b[p] == ' ')) {
            return new String(b, 0, p, StandardCharsets.US_ASCII);
        }
        if (responses && len >= 2 && (b[0] == '*' || b[0] == '+') && b[1] == ' ') {
            return b[0] == '*' ? "*" : "+";
        }
        return null;
    }
}

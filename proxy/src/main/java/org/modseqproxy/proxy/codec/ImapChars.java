package org.modseqproxy.proxy.codec;

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
}

package org.modseqproxy.load.imap;

/** The result of a tagged completion (RFC 9051 7.1): OK, NO (operational failure) or BAD (protocol error). */
public enum ImapStatus {
    OK,
    NO,
    BAD;

    /** The status word of a tagged response line ({@code tag SP status SP text}), or null if it has none. */
    static ImapStatus ofTaggedLine(String line) {
        int sp = line.indexOf(' ');
        if (sp < 0) {
            return null;
        }
        int end = line.indexOf(' ', sp + 1);
        String word = line.substring(sp + 1, end < 0 ? line.length() : end);
        for (ImapStatus s : values()) {
            if (s.name().equalsIgnoreCase(word)) {
                return s;
            }
        }
        return null;
    }
}

package org.modseqproxy.proxy.codec;

/**
 * Limits of one {@link ImapDecoder}, fixed at construction (as Dovecot's imap-parser takes its
 * max_line_size). All of them bound memory per connection; none of them bounds a streamed literal
 * except {@code maxLiteralSize}.
 *
 * @param maxLineLength   bytes of one line outside literal data (all parts of the line together)
 * @param maxLiteralSize  largest literal accepted at all (inline or streamed)
 * @param inlineLiteralMax literals up to this size are kept inside the frame; bigger ones are streamed
 * @param maxFrameBytes   total inline literal bytes of one line; literals beyond that are streamed
 * @param maxNestingDepth parenthesised list depth
 * @param maxItems        tokens (atoms, strings, literals, lists) of one line
 */
public record Limits(
        int maxLineLength,
        long maxLiteralSize,
        int inlineLiteralMax,
        int maxFrameBytes,
        int maxNestingDepth,
        int maxItems) {

    public Limits {
        if (maxLineLength < 64
                || maxLiteralSize < 0
                || inlineLiteralMax < 0
                || maxFrameBytes < 0
                || maxNestingDepth < 1
                || maxItems < 1) {
            throw new IllegalArgumentException("invalid limits: " + maxLineLength + "/" + maxLiteralSize + "/"
                    + inlineLiteralMax + "/" + maxFrameBytes + "/" + maxNestingDepth + "/" + maxItems);
        }
    }

    /** Client to proxy: 64 KiB lines (RFC 7162 section 4: at least 8192, more recommended), 100 MiB literals, 64 KiB inline, 1 MiB inline per line, depth 16. */
    public static Limits commandDefaults() {
        return new Limits(65536, 100L * 1024 * 1024, 65536, 1024 * 1024, 16, 100_000);
    }

    /**
     * Backend to proxy: 64 KiB lines. Literals are streamed, so their size is not limited by default
     * (a 200 MB message must still be fetchable). Nesting allows 64 levels: BODYSTRUCTURE of deeply
     * forwarded multiparts nests two parentheses per MIME level.
     */
    public static Limits responseDefaults() {
        return new Limits(65536, Long.MAX_VALUE, 65536, 1024 * 1024, 64, 100_000);
    }

    /**
     * What the proxy accepts from its backend: a legacy backend's "* SEARCH" over a large mailbox is one long line
     * (about 7 bytes per UID), so 16 MiB and two million tokens per line (the operator trusts the backend more than
     * clients).
     */
    public static Limits backendResponses() {
        Limits d = responseDefaults();
        return new Limits(
                16 * 1024 * 1024,
                d.maxLiteralSize(),
                d.inlineLiteralMax(),
                d.maxFrameBytes(),
                d.maxNestingDepth(),
                2_000_000);
    }
}

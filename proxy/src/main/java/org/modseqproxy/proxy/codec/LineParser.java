package org.modseqproxy.proxy.codec;

import static org.modseqproxy.proxy.codec.ImapChars.endsAtom;
import static org.modseqproxy.proxy.codec.ImapChars.isTagChar;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Parses one IMAP line, segment by segment: the tag, then either free response text (status responses
 * and "+" continuations) or generic tokens via {@link TokenScanner}. One instance per decoder, reset per line.
 */
final class LineParser {
    private static final byte[][] STATUS_WORDS = {
        "OK".getBytes(StandardCharsets.US_ASCII), "NO".getBytes(StandardCharsets.US_ASCII),
        "BAD".getBytes(StandardCharsets.US_ASCII), "BYE".getBytes(StandardCharsets.US_ASCII),
        "PREAUTH".getBytes(StandardCharsets.US_ASCII)
    };

    private final boolean commands;
    private final TokenScanner scanner;
    private final int maxDepth;
    private final int maxItems;

    private boolean tagDone;
    private String tag;
    private ResponseCode code;
    private String text;
    String error;

    LineParser(ImapDecoder.Side side, Limits limits) {
        this.commands = side == ImapDecoder.Side.COMMANDS;
        this.maxDepth = limits.maxNestingDepth();
        this.maxItems = limits.maxItems();
        this.scanner = new TokenScanner(maxDepth, maxItems);
    }

    void reset() {
        tagDone = false;
        tag = null;
        code = null;
        text = null;
        error = null;
        scanner.reset();
    }

    String tag() {
        return tag;
    }

    ResponseCode code() {
        return code;
    }

    String text() {
        return text;
    }

    long literalSize() {
        return scanner.literalSize;
    }

    boolean literalNonSync() {
        return scanner.literalNonSync;
    }

    boolean literalBinary() {
        return scanner.literalBinary;
    }

    void addLiteral(Token t) {
        scanner.addAnnounced(t);
    }

    List<Token> finish() {
        return scanner.finish();
    }

    List<Token> snapshot() {
        return scanner.snapshot();
    }

    /** Same results as {@link TokenScanner#scan}. */
    int parseSegment(byte[] b, int from, int to) {
        int pos = from;
        if (!tagDone) {
            tagDone = true;
            int p = from;
            while (p < to && b[p] != ' ') {
                p++;
            }
            if (p == from) {
                return fail("Missing tag");
            }
            if (!validTag(b, from, p)) {
                return fail("Invalid tag");
            }
            tag = new String(b, from, p - from, StandardCharsets.US_ASCII);
            pos = p < to ? p + 1 : p;
            if (commands) {
                // command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
                if (pos >= to) {
                    return fail("Missing command");
                }
                if (endsAtom(b[pos])) {
                    return fail("Invalid command name");
                }
            } else if (tag.equals("+")) {
                // continue-req = "+" SP (resp-text / base64) CRLF; base64 never starts with "[", so parsing an optional
                // code is safe. Some servers send a bare "+" without SP: accepted.
                respText(b, pos, to);
                return TokenScanner.END;
            } else {
                int end = statusWordEnd(b, pos, to);
                if (end >= 0) {
                    // resp-cond-state / resp-cond-bye / resp-cond-auth: the text is never tokenized, it may hold
                    // unbalanced quotes or a trailing "{5}" that is not a literal.
                    scanner.add(new Token.Atom(new String(b, pos, end - pos, StandardCharsets.US_ASCII)));
                    respText(b, end, to);
                    return TokenScanner.END;
                }
                if (pos >= to) {
                    return fail("Empty response");
                }
            }
        }
        int r = scanner.scan(b, pos, to);
        if (r == TokenScanner.ERROR) {
            error = scanner.error;
        }
        return r;
    }

    private boolean validTag(byte[] b, int from, int to) {
        if (!commands && to - from == 1 && (b[from] == '*' || b[from] == '+')) {
            return true;
        }
        for (int i = from; i < to; i++) {
            if (!isTagChar(b[i])) {
                return false;
            }
        }
        return true;
    }

    /** End of "OK"/"NO"/"BAD"/"BYE"/"PREAUTH" (any case) at pos when followed by SP or the line end, else -1. */
    private static int statusWordEnd(byte[] b, int pos, int to) {
        for (byte[] w : STATUS_WORDS) {
            int end = pos + w.length;
            if (end <= to && (end == to || b[end] == ' ') && equalsIgnoreCase(b, pos, w)) {
                return end;
            }
        }
        return -1;
    }

    private static boolean equalsIgnoreCase(byte[] b, int pos, byte[] upper) {
        for (int i = 0; i < upper.length; i++) {
            int c = b[pos + i];
            if (c >= 'a' && c <= 'z') {
                c -= 32;
            }
            if (c != upper[i]) {
                return false;
            }
        }
        return true;
    }

    /** resp-text = ["[" resp-text-code "]" SP] [text] (RFC 9051 9). pos is at the SP after the status word. */
    private void respText(byte[] b, int pos, int to) {
        if (pos < to && b[pos] == ' ') {
            pos++;
        }
        if (pos < to && b[pos] == '[') {
            int close = codeEnd(b, pos + 1, to);
            if (close > pos + 1) {
                code = responseCode(b, pos + 1, close);
                pos = close + 1;
                if (pos < to && b[pos] == ' ') {
                    pos++;
                }
            }
        }
        text = new String(b, pos, to - pos, StandardCharsets.UTF_8);
    }

    /**
     * resp-text-code = ... / atom [SP 1*&lt;any TEXT-CHAR except "]"&gt;]: the first "]" ends the code.
     * Quoted strings are skipped so that BADCHARSET ("a]b") survives. -1 when there is no "]".
     */
    private static int codeEnd(byte[] b, int p, int to) {
        while (p < to) {
            byte c = b[p];
            if (c == ']') {
                return p;
            }
            if (c == '"') {
                p++;
                while (p < to && b[p] != '"') {
                    p += b[p] == '\\' ? 2 : 1;
                }
            }
            p++;
        }
        return -1;
    }

    private ResponseCode responseCode(byte[] b, int from, int to) {
        int p = from;
        while (p < to && b[p] != ' ') {
            p++;
        }
        String name = new String(b, from, p - from, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
        if (p >= to) {
            return new ResponseCode(name, "", List.of());
        }
        String rawArgs = new String(b, p + 1, to - p - 1, StandardCharsets.UTF_8);
        // best effort: the tokens read before the first syntax error (never an error event)
        TokenScanner args = new TokenScanner(maxDepth, maxItems);
        args.scan(b, p + 1, to);
        return new ResponseCode(name, rawArgs, args.finish());
    }

    private int fail(String message) {
        error = message;
        return TokenScanner.ERROR;
    }
}

package org.modseqproxy.proxy.codec;

import static org.modseqproxy.proxy.codec.ImapChars.endsAtom;
import static org.modseqproxy.proxy.codec.ImapChars.isCtl;
import static org.modseqproxy.proxy.codec.ImapChars.isDigit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The generic token grammar shared by commands and responses (RFC 9051 9): atoms, quoted strings,
 * parenthesised lists, and literal announcements at the end of a line segment.
 *
 * <p>It is fed complete segments (a line up to CRLF, or up to a literal's "{n}" announcement, which by
 * RFC 9051 4.3 / RFC 7888 3 always ends the segment), so no token is ever split across calls and the
 * bytes are scanned once. The list stack survives between segments of one line: a literal may sit
 * inside a list, as in {@code BODY[] {5}\r\nhello FLAGS (\Seen))}.
 */
final class TokenScanner {
    static final int END = 0;
    static final int LITERAL = 1;
    static final int ERROR = 2;

    private final int maxDepth;
    private final int maxItems;
    /** stack.get(0) is the line's top level; the last element is the innermost open list. */
    private final ArrayList<ArrayList<Token>> stack = new ArrayList<>();

    private int items;
    /** Set when a '[' found no matching ']' in this segment: later '[' are plain atom bytes (no rescans). */
    private boolean noBracketMatch;

    private byte[] scratch = new byte[128];

    long literalSize;
    boolean literalNonSync;
    boolean literalBinary;
    String error;

    TokenScanner(int maxDepth, int maxItems) {
        this.maxDepth = maxDepth;
        this.maxItems = maxItems;
        reset();
    }

    void reset() {
        stack.clear();
        stack.add(new ArrayList<>());
        items = 0;
        error = null;
    }

    int depth() {
        return stack.size() - 1;
    }

    /** Adds a token (counted against maxItems); false and {@link #error} set when over the limit. */
    boolean add(Token t) {
        if (!count()) {
            return false;
        }
        stack.get(stack.size() - 1).add(t);
        return true;
    }

    /** Adds the data of a literal whose announcement was already counted. */
    void addAnnounced(Token t) {
        stack.get(stack.size() - 1).add(t);
    }

    /** Top-level tokens of a finished line (lists still open are dropped: only for best-effort use). */
    List<Token> finish() {
        return Collections.unmodifiableList(stack.get(0));
    }

    /** A copy of the tokens so far, lists still open shown with the items read so far. */
    List<Token> snapshot() {
        Token inner = null;
        for (int k = stack.size() - 1; k >= 1; k--) {
            ArrayList<Token> copy = new ArrayList<>(stack.get(k));
            if (inner != null) {
                copy.add(inner);
            }
            inner = new Token.ListTok(Collections.unmodifiableList(copy));
        }
        ArrayList<Token> root = new ArrayList<>(stack.get(0));
        if (inner != null) {
            root.add(inner);
        }
        return Collections.unmodifiableList(root);
    }

    /**
     * Tokenizes b[pos, to), a segment without its line ending. Returns END (the line is complete),
     * LITERAL (the segment ends with a literal announcement: {@link #literalSize}, {@link #literalNonSync})
     * or ERROR ({@link #error}).
     */
    int scan(byte[] b, int pos, int to) {
        noBracketMatch = false;
        while (pos < to) {
            byte c = b[pos];
            switch (c) {
                case ' ' -> pos++;
                case '(' -> {
                    if (depth() >= maxDepth) {
                        return fail("Too deeply nested (max " + maxDepth + ")");
                    }
                    if (!count()) {
                        return ERROR;
                    }
                    stack.add(new ArrayList<>());
                    pos++;
                }
                case ')' -> {
                    if (depth() == 0) {
                        return fail("Unexpected ')'");
                    }
                    ArrayList<Token> closed = stack.remove(stack.size() - 1);
                    stack.get(stack.size() - 1).add(new Token.ListTok(Collections.unmodifiableList(closed)));
                    pos++;
                }
                case '"' -> {
                    pos = quoted(b, pos + 1, to);
                    if (pos < 0) {
                        return ERROR;
                    }
                }
                case '{' -> {
                    literalBinary = false;
                    return literal(b, pos + 1, to);
                }
                default -> {
                    if (c == '~' && pos + 1 < to && b[pos + 1] == '{') {
                        literalBinary = true;
                        return literal(b, pos + 2, to); // RFC 3516 literal8, "~{n+}" per RFC 4466
                    }
                    if (isCtl(c)) {
                        return fail(
                                c == 0
                                        ? "NUL character in line"
                                        : "Unexpected control character 0x" + Integer.toHexString(c));
                    }
                    pos = atom(b, pos, to);
                    if (pos < 0) {
                        return ERROR;
                    }
                }
            }
        }
        if (depth() > 0) {
            return fail("Unbalanced parentheses: missing ')'");
        }
        return END;
    }

    /** literal = "{" number64 ["+"] "}" CRLF *CHAR8 (RFC 9051 9; "+" is RFC 7888 LITERAL+/LITERAL-). */
    private int literal(byte[] b, int p, int to) {
        long n = 0;
        int start = p;
        while (p < to && isDigit(b[p])) {
            // saturate instead of overflowing: anything this big is rejected by maxLiteralSize anyway
            n = n > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : n * 10 + (b[p] - '0');
            p++;
        }
        boolean nonSync = false;
        if (p < to && b[p] == '+') {
            nonSync = true;
            p++;
        }
        // RFC 7888 5: LITERAL- still writes "{n+}"; there is no "{n-}" form, so it is a syntax error here.
        if (p == start || p >= to || b[p] != '}') {
            return fail("Invalid literal syntax");
        }
        if (p + 1 != to) {
            return fail("Invalid literal syntax: the literal size must end the line");
        }
        if (!count()) {
            return ERROR;
        }
        literalSize = n;
        literalNonSync = nonSync;
        return LITERAL;
    }

    /** quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR allows "\" quoted-specials and UTF-8. Returns the position after the closing quote, or -1. */
    private int quoted(byte[] b, int start, int to) {
        int p = start;
        boolean escaped = false;
        while (p < to) {
            byte c = b[p];
            if (c == '"') {
                break;
            } else if (c == '\\') {
                escaped = true;
                p += 2;
            } else if (c == 0) {
                fail("NUL character in line");
                return -1;
            } else {
                p++;
            }
        }
        if (p >= to) {
            fail("Unterminated quoted string");
            return -1;
        }
        String s = escaped ? unescape(b, start, p) : new String(b, start, p - start, StandardCharsets.UTF_8);
        return add(new Token.Quoted(s)) ? p + 1 : -1;
    }

    /** Drops the backslash of every escape pair. Lenient: "\x" for any x yields x (RFC allows only \" and \\). */
    private String unescape(byte[] b, int from, int to) {
        if (scratch.length < to - from) {
            scratch = new byte[to - from];
        }
        int n = 0;
        for (int p = from; p < to; p++) {
            if (b[p] == '\\') {
                p++;
            }
            scratch[n++] = b[p];
        }
        return new String(scratch, 0, n, StandardCharsets.UTF_8);
    }

    private int atom(byte[] b, int start, int to) {
        int p = start;
        while (p < to) {
            byte c = b[p];
            if (c == '[' && !noBracketMatch) {
                // section atoms: BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100> keep spaces and parens (RFC 9051 6.4.5)
                int close = bracketEnd(b, p + 1, to);
                if (close < 0) {
                    noBracketMatch = true; // "foo[bar" is a valid atom too (ATOM-CHAR includes "[")
                    p++;
                } else {
                    p = close + 1;
                }
            } else if (endsAtom(c)) {
                break;
            } else {
                p++;
            }
        }
        return add(new Token.Atom(new String(b, start, p - start, StandardCharsets.UTF_8))) ? p : -1;
    }

    private static int bracketEnd(byte[] b, int p, int to) {
        int depth = 1;
        while (p < to) {
            byte c = b[p];
            if (c == '"') {
                p++;
                while (p < to && b[p] != '"') {
                    p += b[p] == '\\' ? 2 : 1;
                }
            } else if (c == '[') {
                depth++;
            } else if (c == ']' && --depth == 0) {
                return p;
            }
            p++;
        }
        return -1;
    }

    private boolean count() {
        if (++items > maxItems) {
            error = "Too many items (max " + maxItems + ")";
            return false;
        }
        return true;
    }

    private int fail(String message) {
        error = message;
        return ERROR;
    }
}

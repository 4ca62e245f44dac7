package org.modseqproxy.proxy.codec;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

/**
 * Encoding helpers: strings in their safest short form, lines as Buffers, tokens back to wire form.
 * All output is UTF-8 (RFC 9051 allows UTF-8 in quoted strings; for IMAP4rev1 peers without
 * UTF8=ACCEPT, callers should pass mailbox names already in modified UTF-7).
 */
public final class ImapEncoder {
    private static final byte[] CRLF = {'\r', '\n'};

    private ImapEncoder() {}

    /** An astring (RFC 9051 9): atom if every char is an ASTRING-CHAR, quoted if possible, else a literal. "NIL" and "" are quoted. */
    public static String astring(String s) {
        if (!s.isEmpty() && !s.equalsIgnoreCase("NIL") && isAstringAtom(s)) {
            return s;
        }
        return canQuote(s) ? quoted(s) : literal(s);
    }

    /** An nstring: NIL for null, else quoted or literal (never a bare atom, as RFC 9051 nstring requires). */
    public static String nstring(String s) {
        if (s == null) {
            return "NIL";
        }
        return canQuote(s) ? quoted(s) : literal(s);
    }

    /** quoted = DQUOTE *QUOTED-CHAR DQUOTE, escaping '"' and '\'. IllegalArgumentException if s contains CR, LF or NUL. */
    public static String quoted(String s) {
        if (!canQuote(s)) {
            throw new IllegalArgumentException("CR, LF and NUL cannot be quoted");
        }
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    /** A synchronizing literal "{n}\r\n" + s, n being the UTF-8 length (responses; commands must wait for "+"). */
    public static String literal(String s) {
        return "{" + s.getBytes(StandardCharsets.UTF_8).length + "}\r\n" + s;
    }

    /** "(a b c)" from atoms, e.g. a flag list. */
    public static String list(Collection<String> atoms) {
        return "(" + String.join(" ", atoms) + ")";
    }

    /**
     * A sequence-set (RFC 9051 9) of ascending numbers, runs collapsed: [41, 43, 44, 45] gives "41,43:45".
     * Duplicates are ignored; IllegalArgumentException if the numbers are not ascending or none are given.
     */
    public static String sequenceSet(long... ascending) {
        if (ascending.length == 0) {
            throw new IllegalArgumentException("empty sequence set");
        }
        StringBuilder sb = new StringBuilder();
        long start = ascending[0];
        long prev = start;
        for (int i = 1; i <= ascending.length; i++) {
            if (i < ascending.length) {
                long v = ascending[i];
                if (v < prev) {
                    throw new IllegalArgumentException("not ascending: " + prev + " then " + v);
                }
                if (v == prev || v == prev + 1) {
                    prev = v;
                    continue;
                }
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(start);
            if (prev != start) {
                sb.append(':').append(prev);
            }
            if (i < ascending.length) {
                start = prev = ascending[i];
            }
        }
        return sb.toString();
    }

    /** s + CRLF. */
    public static Buffer line(String s) {
        return Buffer.buffer(s, "UTF-8").appendBytes(CRLF);
    }

    /** tag + SP + rest + CRLF, e.g. line("a1", "OK [READ-WRITE] SELECT completed"). */
    public static Buffer line(String tag, String rest) {
        return line(tag + " " + rest);
    }

    /** "+ text\r\n" (RFC 9051 7.5), or "+\r\n" for empty text. */
    public static Buffer continuation(String text) {
        return line(text.isEmpty() ? "+" : "+ " + text);
    }

    /**
     * A status response: tag SP status SP ["[" code "]" SP] text CRLF, e.g.
     * status("d105", "OK", "MODIFIED 7,9", "Conditional STORE failed"). code may be null.
     */
    public static Buffer status(String tag, String status, String code, String text) {
        StringBuilder sb = new StringBuilder(tag).append(' ').append(status);
        if (code != null) {
            sb.append(" [").append(code).append(']');
        }
        if (!text.isEmpty()) {
            sb.append(' ').append(text);
        }
        return line(sb.toString());
    }

    /** Tokens separated by SP, as a decoder would read them back (LargeLiteral cannot be written: IllegalArgumentException). */
    public static Buffer tokens(List<Token> tokens) {
        Buffer out = Buffer.buffer();
        writeAll(out, tokens);
        return out;
    }

    /** Appends one token in wire form. Quoted strings holding CR/LF/NUL become literals. */
    public static Buffer write(Buffer out, Token t) {
        if (t instanceof Token.Atom a) {
            out.appendString(a.value(), "UTF-8");
        } else if (t instanceof Token.Quoted q) {
            out.appendString(canQuote(q.value()) ? quoted(q.value()) : literal(q.value()), "UTF-8");
        } else if (t instanceof Token.Literal l) {
            out.appendString((l.binary() ? "~{" : "{") + l.data().length() + (l.nonSync() ? "+" : "") + "}\r\n")
                    .appendBuffer(l.data());
        } else if (t instanceof Token.ListTok list) {
            out.appendByte((byte) '(');
            writeAll(out, list.items());
            out.appendByte((byte) ')');
        } else {
            throw new IllegalArgumentException("a streamed literal has no data to write: " + t);
        }
        return out;
    }

    private static void writeAll(Buffer out, List<Token> tokens) {
        for (int i = 0; i < tokens.size(); i++) {
            if (i > 0) {
                out.appendByte((byte) ' ');
            }
            write(out, tokens.get(i));
        }
    }

    /** ASTRING-CHAR = ATOM-CHAR / resp-specials; ATOM-CHAR = any CHAR except atom-specials (RFC 9051 9). */
    private static boolean isAstringAtom(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
            switch (c) {
                case '(', ')', '{', '%', '*', '"', '\\' -> {
                    return false;
                }
                default -> {}
            }
        }
        return true;
    }

    private static boolean canQuote(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                return false;
            }
        }
        return true;
    }
}

package org.modseqproxy.proxy.codec;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One decoded line, or one part of a line that carries streamed literals.
 *
 * <p>A line without streamed literals is one COMPLETE frame. A line with streamed literals is cut
 * at each of them: HEAD (up to the first "{n}\r\n"), CONTINUED_HEAD (between two streamed literals),
 * CONTINUED (after the last one, up to CRLF). {@link #raw()} holds the bytes of this part only;
 * {@link #tokens()} holds the tokens of the whole line so far (streamed literals as
 * {@link Token.LargeLiteral}; lists still open at the end of a HEAD part show the items read so far),
 * so the CONTINUED part sees the full structure of the line.
 */
public final class Frame {

    public enum Kind {
        COMPLETE,
        HEAD,
        CONTINUED,
        CONTINUED_HEAD
    }

    private final Kind kind;
    private final Buffer raw;
    private final String tag;
    private final List<Token> tokens;
    private final ResponseCode code;
    private final String text;
    private final String keyword;
    private final long number;

    Frame(Kind kind, Buffer raw, String tag, List<Token> tokens, ResponseCode code, String text, boolean commandSide) {
        this.kind = kind;
        this.raw = raw;
        this.tag = tag;
        this.tokens = tokens;
        this.code = code;
        this.text = text;
        long n = -1;
        String kw = null;
        if (commandSide) {
            kw = commandName(tokens);
        } else if ("*".equals(tag)) {
            // RFC 9051 7.4 / 7.5: "* 5 EXPUNGE", "* 5 FETCH (...)", "* 23 EXISTS"
            if (tokens.size() >= 2
                    && tokens.get(0) instanceof Token.Atom a
                    && isNumber(a.value())
                    && tokens.get(1) instanceof Token.Atom k) {
                n = Long.parseLong(a.value());
                kw = k.value().toUpperCase(Locale.ROOT);
            } else if (!tokens.isEmpty() && tokens.get(0) instanceof Token.Atom a) {
                kw = a.value().toUpperCase(Locale.ROOT);
            }
        } else if (!"+".equals(tag) && !tokens.isEmpty() && tokens.get(0) instanceof Token.Atom a) {
            kw = a.value().toUpperCase(Locale.ROOT);
        }
        this.keyword = kw;
        this.number = n;
    }

    private static String commandName(List<Token> tokens) {
        if (tokens.isEmpty() || !(tokens.get(0) instanceof Token.Atom first)) {
            return null;
        }
        String name = first.value().toUpperCase(Locale.ROOT);
        if (name.equals("UID") && tokens.size() >= 2 && tokens.get(1) instanceof Token.Atom sub) {
            return "UID " + sub.value().toUpperCase(Locale.ROOT);
        }
        return name;
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    public Kind kind() {
        return kind;
    }

    /** True for COMPLETE and CONTINUED: this part ends the line. */
    public boolean endsLine() {
        return kind == Kind.COMPLETE || kind == Kind.CONTINUED;
    }

    /**
     * Exact wire bytes of this part, including inline literal data and the final CRLF or the "{n}\r\n"
     * announcement. Pass-through writes these bytes unchanged.
     */
    public Buffer raw() {
        return raw;
    }

    /** "*" untagged, "+" continuation, else the tag. For CONTINUED parts: the tag of the line they continue. */
    public String tag() {
        return tag;
    }

    /**
     * Tokens after the tag. Commands: [Atom(name), args...]; for "UID FETCH" the first two atoms are
     * UID and FETCH. Responses: e.g. [Atom("5"), Atom("FETCH"), ListTok(...)], [Atom("OK")] for status
     * responses (their text is never tokenized), [] for continuation requests.
     */
    public List<Token> tokens() {
        return tokens;
    }

    /**
     * Upper-cased command name for commands ("UID FETCH" joined for UID variants), or for responses the
     * keyword ("FETCH", "EXISTS", "OK", "CAPABILITY"...); null if none (and for "+").
     */
    public String keyword() {
        return keyword;
    }

    /** Untagged numeric responses ("* 5 EXPUNGE"): 5; else -1. */
    public long number() {
        return number;
    }

    /** Status responses (OK/NO/BAD/BYE/PREAUTH, tagged or untagged) and "+": the response code, if any. */
    public Optional<ResponseCode> code() {
        return Optional.ofNullable(code);
    }

    /** Status responses: the human-readable text after the code. Continuation "+": the text after "+ ". Else null. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return kind + " " + raw.toString(StandardCharsets.UTF_8).replace("\r\n", "\\r\\n");
    }
}

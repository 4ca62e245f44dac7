package org.modseqproxy.proxy.codec;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One syntactic element of an IMAP line (RFC 9051 9, RFC 3501 9). */
public sealed interface Token {

    /**
     * An atom, including NIL, numbers, sequence sets, flags like \Seen and section atoms like
     * BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>: an atom containing '[' runs to the matching ']'
     * (spaces, parentheses and quoted strings included), then on to the end of the atom.
     */
    record Atom(String value) implements Token {}

    /** A quoted string, unescaped, decoded as UTF-8. */
    record Quoted(String value) implements Token {}

    /**
     * An inline literal: {n}, {n+} (RFC 7888), or with binary = true ~{n} / ~{n+} (RFC 3516 literal8,
     * RFC 4466), which may hold NUL bytes.
     */
    record Literal(Buffer data, boolean nonSync, boolean binary) implements Token {
        public Literal(Buffer data, boolean nonSync) {
            this(data, nonSync, false);
        }
    }

    /** A literal that was streamed through {@link Sink#literalChunk}; only its size is kept. */
    record LargeLiteral(long size) implements Token {}

    /** A parenthesised list. */
    record ListTok(List<Token> items) implements Token {}

    /** Atom, quoted or literal as a string (RFC 9051 astring/nstring), else null. NIL stays "NIL": see {@link #nstringValue()}. */
    default String stringValue() {
        if (this instanceof Atom a) {
            return a.value();
        } else if (this instanceof Quoted q) {
            return q.value();
        } else if (this instanceof Literal l) {
            return l.data().toString(StandardCharsets.UTF_8);
        }
        return null;
    }

    /** Like {@link #stringValue()} but the atom NIL (any case) is null, as in RFC 9051 nstring. */
    default String nstringValue() {
        if (this instanceof Atom a && a.value().equalsIgnoreCase("NIL")) {
            return null;
        }
        return stringValue();
    }

    /** True for an atom equal to {@code s}, ignoring ASCII case. */
    default boolean isAtom(String s) {
        return this instanceof Atom a && a.value().equalsIgnoreCase(s);
    }
}

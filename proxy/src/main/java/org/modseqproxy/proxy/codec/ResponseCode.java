package org.modseqproxy.proxy.codec;

import java.util.List;

/**
 * The bracketed code of a status response, RFC 9051 7.1: {@code resp-text-code}.
 *
 * @param name    upper-cased, e.g. CAPABILITY, UIDVALIDITY, HIGHESTMODSEQ, NOMODSEQ, MODIFIED
 * @param rawArgs the text between the name and the closing ']' (without the separating space), or ""
 * @param args    best-effort tokens of rawArgs: the top-level tokens read before the first syntax error, if any
 */
public record ResponseCode(String name, String rawArgs, List<Token> args) {
    public ResponseCode {
        args = List.copyOf(args);
    }
}

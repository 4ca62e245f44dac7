package org.modseqproxy.proxy.command;

import java.util.ArrayList;
import java.util.List;
import org.modseqproxy.proxy.codec.Token;

/**
 * The arguments of FETCH / UID FETCH (RFC 9051 6.4.5) with the MODSEQ item (RFC 7162 3.1.4.2) and the CHANGEDSINCE
 * and VANISHED modifiers (3.1.4.1, 3.2.6): {@code set items [(CHANGEDSINCE n [VANISHED])]}. Pure.
 *
 * @param set the sequence set or UID set as written
 * @param items the items as written, without MODSEQ (which the backend never sees)
 * @param modSeqItem the client asked for the MODSEQ item
 * @param changedSince the CHANGEDSINCE value, or null
 * @param vanished the VANISHED modifier was given
 */
public record FetchArgs(String set, List<Token> items, boolean modSeqItem, Long changedSince, boolean vanished) {
    static FetchArgs parse(List<Token> args) {
        if (args.size() < 2 || args.size() > 3 || !(args.get(0) instanceof Token.Atom set)) {
            throw ImapException.bad("FETCH expects a sequence set and items");
        }
        List<Token> asked = args.get(1) instanceof Token.ListTok l ? l.items() : List.of(args.get(1));
        List<Token> items = new ArrayList<>();
        boolean modSeqItem = false;
        for (Token t : asked) {
            if (Args.isAtom(t, "MODSEQ")) {
                modSeqItem = true;
            } else {
                items.add(t);
            }
        }
        Long changedSince = null;
        boolean vanished = false;
        if (args.size() == 3) {
            if (!(args.get(2) instanceof Token.ListTok mods)) {
                throw ImapException.bad("Invalid FETCH modifiers");
            }
            List<Token> m = mods.items();
            for (int i = 0; i < m.size(); i++) {
                if (Args.isAtom(m.get(i), "CHANGEDSINCE") && i + 1 < m.size()) {
                    changedSince = Args.number(m.get(++i), "CHANGEDSINCE value");
                } else if (Args.isAtom(m.get(i), "VANISHED")) {
                    vanished = true;
                } else {
                    throw ImapException.bad("Unknown FETCH modifier");
                }
            }
        }
        return new FetchArgs(set.value(), List.copyOf(items), modSeqItem, changedSince, vanished);
    }

    /**
     * RFC 7162 3.2.6: VANISHED only in UID FETCH, with CHANGEDSINCE, after ENABLE QRESYNC (else the command is BAD).
     */
    boolean vanishedAllowed(boolean uid, boolean qresyncEnabled) {
        return !vanished || uid && changedSince != null && qresyncEnabled;
    }

    /** The MODSEQ item or CHANGEDSINCE: a CONDSTORE enabling command (RFC 7162 3.1). */
    boolean needsModSeq() {
        return modSeqItem || changedSince != null;
    }

    /** Whether FLAGS was asked for (CHANGEDSINCE answers must carry them either way). */
    boolean hasFlags() {
        return items.stream().anyMatch(t -> Args.isAtom(t, "FLAGS"));
    }
}

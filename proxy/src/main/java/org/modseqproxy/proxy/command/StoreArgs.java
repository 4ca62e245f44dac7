package org.modseqproxy.proxy.command;

import java.util.List;
import java.util.Locale;
import org.modseqproxy.proxy.codec.Token;

/**
 * The arguments of STORE / UID STORE (RFC 9051 6.4.6) with the UNCHANGEDSINCE modifier (RFC 7162 3.1.3):
 * {@code set [(UNCHANGEDSINCE n)] action flags}. Pure: tokens in, a value or a BAD out.
 *
 * @param set the sequence set or UID set as written (resolved against the view later: numbers can change)
 * @param unchangedSince the modifier's value, or null without it (0 is legal and always fails, RFC 7162 3.1.3)
 * @param action FLAGS, +FLAGS or -FLAGS
 * @param silent .SILENT was given: the client wants no FETCH back (under CONDSTORE: MODSEQ only)
 * @param flags the flag list as written, for the backend
 */
public record StoreArgs(String set, Long unchangedSince, String action, boolean silent, String flags) {
    private static final List<String> ACTIONS = List.of("FLAGS", "+FLAGS", "-FLAGS");

    static StoreArgs parse(List<Token> args) {
        if (args.size() < 3 || !(args.get(0) instanceof Token.Atom set)) {
            throw ImapException.bad("STORE expects a set, an action and flags");
        }
        int at = 1;
        Long unchangedSince = null;
        if (args.get(1) instanceof Token.ListTok mods) {
            List<Token> m = mods.items();
            if (m.size() != 2 || !Args.isAtom(m.get(0), "UNCHANGEDSINCE")) {
                throw ImapException.bad("Unknown STORE modifier");
            }
            unchangedSince = Args.number(m.get(1), "UNCHANGEDSINCE value");
            at = 2;
        }
        if (args.size() < at + 2 || Args.upper(args.get(at)) == null) {
            throw ImapException.bad("STORE expects an action and flags");
        }
        String action = Args.upper(args.get(at));
        boolean silent = action.endsWith(".SILENT");
        String base = silent ? action.substring(0, action.length() - ".SILENT".length()) : action;
        if (!ACTIONS.contains(base)) {
            throw ImapException.bad("Unknown STORE action " + action.toLowerCase(Locale.ROOT));
        }
        return new StoreArgs(
                set.value(), unchangedSince, base, silent, Args.serialize(args.subList(at + 1, args.size())));
    }

    /** A conditional STORE is a CONDSTORE enabling command (RFC 7162 3.1). */
    boolean conditional() {
        return unchangedSince != null;
    }
}

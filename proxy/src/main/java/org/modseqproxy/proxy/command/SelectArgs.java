package org.modseqproxy.proxy.command;

import java.util.List;
import org.modseqproxy.proxy.codec.Token;
import org.modseqproxy.state.UidSet;

/**
 * The arguments of SELECT / EXAMINE (RFC 9051 6.3.2) with the CONDSTORE (RFC 7162 3.1.8) and QRESYNC (3.2.5)
 * parameters: {@code mailbox [(CONDSTORE | QRESYNC (uidvalidity modseq [known-uids [seq-match]]))]}. Pure.
 *
 * @param qresync the QRESYNC parameter, or null
 */
public record SelectArgs(String mailbox, boolean condstore, Qresync qresync) {
    /**
     * QRESYNC (uidvalidity modseq [known-uids [(seq-match)]]). The optional seq-match data only helps a server narrow
     * VANISHED below its horizon; the proxy's answer from known-uids is already exact (3.2.5.2), so it is checked for
     * shape only.
     *
     * @param knownUids the UIDs the client knows, or null when omitted (then 1:UIDNEXT-1, 3.2.5.1)
     */
    public record Qresync(long uidValidity, long modSeq, UidSet knownUids) {}

    static SelectArgs parse(String command, List<Token> args) {
        if (args.isEmpty() || args.size() > 2 || args.get(0).stringValue() == null) {
            throw ImapException.bad(command + " expects a mailbox name");
        }
        boolean condstore = false;
        Qresync qresync = null;
        if (args.size() == 2) {
            if (!(args.get(1) instanceof Token.ListTok params)) {
                throw ImapException.bad("Invalid SELECT parameters");
            }
            List<Token> p = params.items();
            for (int i = 0; i < p.size(); i++) {
                if (Args.isAtom(p.get(i), "CONDSTORE")) {
                    condstore = true;
                } else if (Args.isAtom(p.get(i), "QRESYNC")
                        && i + 1 < p.size()
                        && p.get(i + 1) instanceof Token.ListTok q) {
                    qresync = qresync(q.items());
                    i++;
                } else {
                    throw ImapException.bad("Unknown SELECT parameter");
                }
            }
        }
        return new SelectArgs(args.get(0).stringValue(), condstore, qresync);
    }

    private static Qresync qresync(List<Token> p) {
        if (p.size() < 2 || p.size() > 4) {
            throw ImapException.bad("Invalid QRESYNC parameter");
        }
        long uidValidity = Args.number32(p.get(0), "UIDVALIDITY");
        long modSeq = Args.number(p.get(1), "mod-sequence");
        if (uidValidity == 0) {
            throw ImapException.bad("Invalid UIDVALIDITY");
        }
        UidSet known = null;
        if (p.size() >= 3) {
            if (!(p.get(2) instanceof Token.Atom a)) {
                throw ImapException.bad("Invalid known-uids");
            }
            if (a.value().contains("*")) {
                throw ImapException.bad("Invalid known-uids: '*' is not allowed"); // RFC 7162 section 7, known-uids
            }
            // BAD for 0, numbers above 4294967295 and junk (RFC 9051 section 9); without '*' the set is what it says
            known = Args.sequenceSet(a.value(), 1);
        }
        if (p.size() == 4 && !(p.get(3) instanceof Token.ListTok)) {
            throw ImapException.bad(
                    "Invalid seq-match-data"); // RFC 7162 section 7: "(" known-sequence-set SP known-uid-set ")"
        }
        return new Qresync(uidValidity, modSeq, known);
    }
}

package org.modseqproxy.proxy.command;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.modseqproxy.proxy.codec.ImapEncoder;
import org.modseqproxy.proxy.codec.Token;
import org.modseqproxy.proxy.sync.SelectedMailbox;
import org.modseqproxy.state.UidSet;

/** Small pure helpers shared by the command files: token tests, re-serialization, sequence sets against the view. */
final class Args {
    private Args() {}

    static boolean isAtom(Token t, String value) {
        return t instanceof Token.Atom a && a.value().equalsIgnoreCase(value);
    }

    static String upper(Token t) {
        String s = t.stringValue();
        return s == null ? null : s.toUpperCase(Locale.ROOT);
    }

    static long number(Token t, String what) {
        if (t instanceof Token.Atom a) {
            try {
                long n = Long.parseLong(a.value());
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw ImapException.bad("Invalid " + what);
    }

    /** Writes tokens back as IMAP (literals become literals again; the backend writer re-announces them). */
    static String serialize(List<Token> tokens) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            append(sb, tokens.get(i));
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, Token t) {
        if (t instanceof Token.Atom a) {
            sb.append(a.value());
        } else if (t instanceof Token.Quoted q) {
            sb.append(ImapEncoder.quoted(q.value()));
        } else if (t instanceof Token.Literal l) {
            String s = l.data().toString(StandardCharsets.UTF_8);
            sb.append('{').append(l.data().length()).append("}\r\n").append(s);
        } else if (t instanceof Token.ListTok list) {
            sb.append('(').append(serialize(list.items())).append(')');
        } else {
            throw ImapException.bad("Argument too large");
        }
    }

    /**
     * The UIDs a client's set names in the current view: a UID set for UID commands (RFC 9051 6.4.9: '*' is the
     * highest UID), a sequence set otherwise (mapped through the view; a number above EXISTS is a BAD before anything
     * is walked). Either way "1:4294967295" costs O(mailbox), never O(range) (DESIGN "Bad input").
     */
    static UidSet uids(SelectedMailbox mb, String set, boolean uid) {
        UidSet parsed = checkSet(mb, set, uid);
        if (uid) {
            // Not narrowed to the UIDs the view knows (it may be stale: a delivery not announced yet must still be
            // stored to); every later step works on ranges, and the numbers were checked to be 32-bit.
            return parsed;
        }
        UidSet.Builder b = new UidSet.Builder();
        parsed.stream().forEach(seq -> {
            long u = mb.uidOf(seq);
            if (u > 0) {
                b.add(u);
            }
        });
        return b.build();
    }

    /**
     * The set as the client wrote it, checked against RFC 9051 section 9 and, for message numbers, against EXISTS: a
     * number the client was never told of (RFC 9051 2.3.1.2) is a BAD, as native Dovecot answers. Called before a
     * command enables anything, so that a BAD command enables nothing (RFC 7162 3.1).
     */
    static UidSet checkSet(SelectedMailbox mb, String set, boolean uid) {
        UidSet parsed = sequenceSet(set, uid ? Math.max(1, mb.lastKnownUid()) : Math.max(1, mb.size()));
        if (!uid && (mb.size() == 0 || parsed.last() > mb.size())) {
            throw ImapException.bad("Invalid messageset");
        }
        return parsed;
    }

    /** The sequence numbers of these UIDs in the view, as an IMAP set (for answers about a non-UID command). */
    static String sequenceNumbers(SelectedMailbox mb, UidSet uids) {
        UidSet.Builder seqs = new UidSet.Builder();
        uids.stream().forEach(u -> {
            int seq = mb.seqOf(u);
            if (seq > 0) {
                seqs.add(seq);
            }
        });
        return seqs.build().toImapString();
    }

    /** Largest nz-number (RFC 9051 section 9: nz-number, uniqueid and seq-number are 32-bit). */
    static final long MAX_NUMBER = 4294967295L;

    /** A client's sequence-set, checked against RFC 9051 section 9; a BAD otherwise. */
    static UidSet sequenceSet(String set, long star) {
        if (set == null || set.isEmpty() || set.length() > 1_000_000) {
            throw ImapException.bad("Invalid sequence set");
        }
        long n = 0;
        boolean digits = false;
        for (int i = 0; i <= set.length(); i++) {
            char c = i < set.length() ? set.charAt(i) : ',';
            if (c >= '0' && c <= '9') {
                if (!digits && c == '0') {
                    throw ImapException.bad("Invalid sequence set: 0 is not a message number");
                }
                n = n * 10 + (c - '0');
                digits = true;
                if (n > MAX_NUMBER) {
                    throw ImapException.bad("Invalid sequence set: number above 4294967295");
                }
            } else if (c == ',' || c == ':' || c == '*') {
                n = 0;
                digits = false;
            } else {
                throw ImapException.bad("Invalid sequence set");
            }
        }
        try {
            return UidSet.parse(set, star);
        } catch (RuntimeException e) {
            throw ImapException.bad("Invalid sequence set");
        }
    }

    /** A mod-sequence value (RFC 7162 section 7: mod-sequence-value is 1*DIGIT up to 2^63-1; valzer allows 0). */
    static long modSeqValue(Token t, String what) {
        return number(t, what);
    }

    /** An nz-number or number argument (UIDVALIDITY and the like): at most 4294967295 (RFC 9051 section 9). */
    static long number32(Token t, String what) {
        long n = number(t, what);
        if (n > MAX_NUMBER) {
            throw ImapException.bad("Invalid " + what + ": above 4294967295");
        }
        return n;
    }
}

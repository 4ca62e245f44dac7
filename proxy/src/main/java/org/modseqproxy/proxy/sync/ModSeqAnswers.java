package org.modseqproxy.proxy.sync;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.ImapEncoder;
import org.modseqproxy.proxy.codec.Token;
import org.modseqproxy.state.UidSet;

/**
 * The mod-sequences inside other commands' answers, written only through the funnel ({@link MailboxSync}): SEARCH
 * and ESEARCH results (RFC 7162 3.1.5, 3.1.10) and STATUS (3.1.7). Pure: each method turns a backend line and what
 * the view knows into the client's line.
 */
final class ModSeqAnswers {
    private ModSeqAnswers() {}

    /**
     * The mod-sequence to answer a client's CHANGEDSINCE or QRESYNC value from. A value above HIGHESTMODSEQ was never
     * handed out by this counter: it comes from state that was lost (a counter that restarted at the clock below it,
     * or one made by an earlier version in microseconds). Nothing tells what changed since, so the client is answered
     * as if it had no mod-sequence: every message is reported (RFC 7162 3.1.4.1, CHANGEDSINCE 0; 3.2.5.2), and every
     * UID it may know that is gone is VANISHED. Answering "nothing changed" would leave it wrong for good.
     */
    static long since(long clientModSeq, long highestModSeq) {
        return clientModSeq > highestModSeq ? 0 : clientModSeq;
    }

    /**
     * "* SEARCH n..." gets " (MODSEQ m)", the highest mod-sequence of the found messages (3.1.5); "* ESEARCH ..." gets
     * " MODSEQ m" (3.1.10). Null when the frame is neither. No found message, no MODSEQ (3.1.5: "(MODSEQ ...)" only
     * with a non-empty result).
     */
    static String search(Frame frame, SelectedMailbox mb, boolean uid) {
        String kw = frame.keyword();
        String line = frame.raw().toString(StandardCharsets.UTF_8).stripTrailing();
        if ("SEARCH".equals(kw)) {
            long max = 0;
            for (Token t : frame.tokens().subList(1, frame.tokens().size())) {
                max = Math.max(max, modSeqOf(mb, t, uid));
            }
            return max > 0 ? line + " (MODSEQ " + max + ")" : line;
        }
        if ("ESEARCH".equals(kw)) {
            long max = 0;
            boolean uidResult = false;
            List<Token> t = frame.tokens();
            for (int i = 1; i < t.size(); i++) {
                String item = t.get(i) instanceof Token.Atom a ? a.value().toUpperCase(Locale.ROOT) : "";
                if (item.equals("UID")) {
                    uidResult = true;
                } else if ((item.equals("ALL") || item.equals("MIN") || item.equals("MAX")) && i + 1 < t.size()) {
                    max = Math.max(max, highestIn(mb, t.get(++i).stringValue(), uidResult));
                }
            }
            return max > 0 ? line + " MODSEQ " + max : line;
        }
        return null;
    }

    /** The highest mod-sequence of the messages in a result set (a sequence set, or a UID set when {@code uid}). */
    private static long highestIn(SelectedMailbox mb, String set, boolean uid) {
        UidSet numbers;
        try {
            numbers = UidSet.parse(set, Long.MAX_VALUE >> 12);
        } catch (RuntimeException e) {
            return 0; // not a set (a COUNT value, say): carries no message
        }
        long[] max = {0};
        numbers.stream().forEach(n -> max[0] = Math.max(max[0], modSeqOf(mb, n, uid)));
        return max[0];
    }

    /** One number of a SEARCH result; 0 for anything that is not one. */
    private static long modSeqOf(SelectedMailbox mb, Token number, boolean uid) {
        try {
            return modSeqOf(mb, Long.parseLong(number.stringValue()), uid);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static long modSeqOf(SelectedMailbox mb, long n, boolean uid) {
        long u = uid ? n : mb.uidOf(n);
        return u > 0 ? mb.modSeqOf(u) : 0;
    }

    /** "* STATUS mailbox (item value ...)" in the order the client asked, HIGHESTMODSEQ being ours (3.1.7). */
    static String status(String mailbox, List<String> requested, Map<String, Long> backendValues, long hms) {
        StringBuilder sb = new StringBuilder("* STATUS ")
                .append(ImapEncoder.astring(mailbox))
                .append(" (");
        boolean first = true;
        for (String item : requested) {
            Long value = item.equals("HIGHESTMODSEQ") ? Long.valueOf(hms) : backendValues.get(item);
            if (value == null) {
                continue;
            }
            sb.append(first ? "" : " ").append(item).append(' ').append(value);
            first = false;
        }
        return sb.append(')').toString();
    }

    /**
     * RFC 7162 3.2.7: the tagged OK of an EXPUNGE that removed messages after ENABLE QRESYNC, with HIGHESTMODSEQ
     * ({@code hms} > 0). Null when the backend's answer goes out as it is: not OK, nothing owed, or it has a code of
     * its own (then the value goes in an untagged OK just before it).
     */
    static String expungingOk(Frame tagged, long hms) {
        if (hms <= 0 || !"OK".equals(tagged.keyword()) || tagged.code().isPresent()) {
            return null;
        }
        return "OK [HIGHESTMODSEQ " + hms + "] " + tagged.text();
    }
}

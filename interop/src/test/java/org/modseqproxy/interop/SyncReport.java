package org.modseqproxy.interop;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a server told a QRESYNC client about changes in one reply (a {@code SELECT ... (QRESYNC ...)}, a NOOP,
 * the end of an IDLE): the UIDs reported gone (VANISHED, with or without EARLIER) and the flags of every
 * message a FETCH reported (UID -> normalized flags). Mod-sequence numbers are kept only as the reply's
 * HIGHESTMODSEQ, since they differ between servers by design. {@code violations} lists what a QRESYNC server
 * must not send (a FETCH without UID, RFC 7162 3.2.4; an EXPUNGE, 3.2.10).
 */
record SyncReport(
        SortedSet<Long> vanished,
        SortedMap<Long, SortedSet<String>> changed,
        long highestModSeq,
        boolean noModSeq,
        long uidValidity,
        List<String> violations,
        ImapReply raw) {

    SyncReport {
        vanished = Collections.unmodifiableSortedSet(new TreeSet<>(vanished));
        changed = Collections.unmodifiableSortedMap(new TreeMap<>(changed));
        violations = List.copyOf(violations);
    }

    /** Reads a reply to SELECT (QRESYNC): no message numbers are known, so a FETCH without UID cannot be placed. */
    static SyncReport of(ImapReply reply) {
        return of(reply, null);
    }

    /**
     * Reads a reply in a selected mailbox whose UIDs by message number were {@code sequence} before it; a FETCH
     * or EXPUNGE without UID is placed through it the way any client would (RFC 9051 7.5.1), and is still listed
     * as a violation. A FETCH without FLAGS (a MODSEQ-only echo) is not a flag report and is skipped.
     */
    static SyncReport of(ImapReply reply, List<Long> sequence) {
        List<Long> seq = sequence == null ? null : new ArrayList<>(sequence);
        SortedSet<Long> vanished = new TreeSet<>();
        SortedMap<Long, SortedSet<String>> changed = new TreeMap<>();
        List<String> violations = new ArrayList<>();
        boolean noModSeq = false;
        for (String line : reply.untagged()) {
            if (line.startsWith("* VANISHED ")) {
                String set = line.substring("* VANISHED ".length());
                boolean earlier = set.startsWith("(EARLIER) ");
                SortedSet<Long> uids = ImapData.uidSet((earlier ? set.substring("(EARLIER) ".length()) : set).trim());
                vanished.addAll(uids);
                if (seq != null && !earlier) {
                    seq.removeAll(uids);
                }
            } else if (line.matches("\\* \\d+ EXISTS") && seq != null) {
                int exists = Integer.parseInt(line.replaceAll("\\D", ""));
                while (seq.size() < exists) {
                    seq.add(-1L); // a new message: its UID comes with a FETCH or a later UID FETCH
                }
            } else if (line.matches("\\* \\d+ EXPUNGE")) {
                violations.add("EXPUNGE instead of VANISHED after ENABLE QRESYNC (RFC 7162 3.2.10): " + line);
                int n = Integer.parseInt(line.replaceAll("\\D", ""));
                if (seq != null && n <= seq.size()) {
                    vanished.add(seq.remove(n - 1));
                }
            } else if (ImapData.isFetch(line)) {
                long uid = ImapData.uid(line).orElse(-1L);
                if (uid < 0) {
                    violations.add("FETCH without UID after ENABLE QRESYNC (RFC 7162 3.2.4): " + line);
                    long n = ImapData.seq(line);
                    uid = seq != null && n <= seq.size() ? seq.get((int) n - 1) : -1;
                }
                long placed = uid;
                if (placed > 0) {
                    ImapData.flags(line).ifPresent(flags -> changed.put(placed, flags));
                }
            } else if (line.startsWith("* OK [NOMODSEQ]")) {
                noModSeq = true;
            }
        }
        return new SyncReport(
                vanished,
                changed,
                ImapData.code(reply, "HIGHESTMODSEQ").orElse(0L),
                noModSeq,
                ImapData.code(reply, "UIDVALIDITY").orElse(0L),
                violations,
                reply);
    }

    /** The reported changes applied to a client's cache (UID -> flags): what the client concludes. */
    SortedMap<Long, SortedSet<String>> appliedTo(Map<Long, SortedSet<String>> cache) {
        SortedMap<Long, SortedSet<String>> after = new TreeMap<>(cache);
        vanished.forEach(after::remove);
        after.putAll(changed);
        return after;
    }
}

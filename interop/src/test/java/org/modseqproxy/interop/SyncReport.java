package org.modseqproxy.interop;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a server told a QRESYNC client about changes in one reply (a {@code SELECT ... (QRESYNC ...)}, a NOOP,
 * the end of an IDLE): the UIDs reported gone (VANISHED, with or without EARLIER; a QRESYNC client never gets
 * EXPUNGE, RFC 7162 3.2.10) and the flags of every message a FETCH reported (UID -> normalized flags). Mod-sequence numbers are kept only as the reply's
 * HIGHESTMODSEQ, since they differ between servers by design.
 */
record SyncReport(SortedSet<Long> vanished, SortedMap<Long, SortedSet<String>> changed, long highestModSeq,
        boolean noModSeq, long uidValidity, ImapReply raw) {

    SyncReport {
        vanished = Collections.unmodifiableSortedSet(new TreeSet<>(vanished));
        changed = Collections.unmodifiableSortedMap(new TreeMap<>(changed));
    }

    /**
     * Reads a reply. A FETCH without UID fails the parse (RFC 7162 3.2.5.1: FETCH responses of a QRESYNC resync
     * MUST contain UIDs; after ENABLE QRESYNC every FETCH carries one, 3.2.3). A FETCH without FLAGS (a
     * MODSEQ-only echo) is not a flag report and is skipped.
     */
    static SyncReport of(ImapReply reply) {
        SortedSet<Long> vanished = new TreeSet<>();
        SortedMap<Long, SortedSet<String>> changed = new TreeMap<>();
        boolean noModSeq = false;
        for (String line : reply.untagged()) {
            if (line.startsWith("* VANISHED ")) {
                String set = line.substring("* VANISHED ".length());
                if (set.startsWith("(EARLIER) ")) {
                    set = set.substring("(EARLIER) ".length());
                }
                vanished.addAll(ImapData.uidSet(set.trim()));
            } else if (ImapData.isFetch(line)) {
                long uid = ImapData.uid(line).orElseThrow(() -> new AssertionError("FETCH without UID: " + line
                        + "\nin:\n" + reply));
                ImapData.flags(line).ifPresent(flags -> changed.put(uid, flags));
            } else if (line.startsWith("* OK [NOMODSEQ]")) {
                noModSeq = true;
            }
        }
        return new SyncReport(vanished, changed, ImapData.code(reply, "HIGHESTMODSEQ").orElse(0L), noModSeq,
                ImapData.code(reply, "UIDVALIDITY").orElse(0L), reply);
    }

    /** The reported changes applied to a client's cache (UID -> flags): what the client concludes. */
    SortedMap<Long, SortedSet<String>> appliedTo(Map<Long, SortedSet<String>> cache) {
        SortedMap<Long, SortedSet<String>> after = new TreeMap<>(cache);
        vanished.forEach(after::remove);
        after.putAll(changed);
        return after;
    }
}

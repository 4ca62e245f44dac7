package org.modseqproxy.load.imap;

import java.util.ArrayList;
import java.util.List;

/**
 * What the server answered to one command: the untagged responses received while it ran, and the tagged
 * completion that ended it.
 *
 * @param status the tagged status (OK/NO/BAD); for the greeting, OK unless the server said BYE
 * @param tagged the tagged line (or the greeting line)
 * @param untagged the untagged responses in arrival order, literals inline
 * @param idledMillis time the client deliberately waited inside the command (IDLE before DONE), else 0
 * @param arrivalNanos {@link System#nanoTime()} when each untagged response arrived, in the same order: for a
 *     push in IDLE (RFC 2177), compared with when the change was made, the push latency
 */
public record ImapReply(
        ImapStatus status, String tagged, List<String> untagged, long idledMillis, List<Long> arrivalNanos) {

    public ImapReply(ImapStatus status, String tagged, List<String> untagged, long idledMillis) {
        this(status, tagged, untagged, idledMillis, List.of());
    }

    /** About what the reply cost on the wire: its lines with CRLF, literals inline. */
    public long size() {
        return lines().stream().mapToLong(l -> l.length() + 2L).sum();
    }

    /** Every line of the reply, untagged first, then the tagged completion: what regex checks search. */
    public List<String> lines() {
        var all = new ArrayList<String>(untagged.size() + 1);
        all.addAll(untagged);
        all.add(tagged);
        return all;
    }
}

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
 */
public record ImapReply(ImapStatus status, String tagged, List<String> untagged, long idledMillis) {

    /** Every line of the reply, untagged first, then the tagged completion: what regex checks search. */
    public List<String> lines() {
        var all = new ArrayList<String>(untagged.size() + 1);
        all.addAll(untagged);
        all.add(tagged);
        return all;
    }
}

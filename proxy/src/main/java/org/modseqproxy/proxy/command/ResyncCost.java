package org.modseqproxy.proxy.command;

import java.util.List;
import org.modseqproxy.state.MailboxSnapshot;
import org.modseqproxy.state.MessageState;

/**
 * What a client's own resync (SELECT with QRESYNC, FETCH with CHANGEDSINCE) saved it: the proxy's reason to exist,
 * measured. The alternative a client without mod-sequences has is the full flag listing of RFC 5162 section 5,
 * {@code UID FETCH 1:* (FLAGS)}; its cost is estimated from the mailbox's own messages, on a bounded sample so the
 * estimate stays cheap on the event loop whatever the mailbox's size.
 */
final class ResyncCost {
    /** Messages measured per estimate, spread evenly over the mailbox. */
    static final int SAMPLE = 64;

    private ResyncCost() {}

    /** Bytes of a {@code UID FETCH 1:* (FLAGS)} answer for this snapshot's messages (0 when empty). */
    static long fullFlagListing(MailboxSnapshot snapshot) {
        List<MessageState> messages = snapshot.messages();
        int n = messages.size();
        if (n == 0) {
            return 0;
        }
        int step = Math.max(1, n / SAMPLE);
        long sampled = 0;
        int count = 0;
        for (int i = 0; i < n; i += step) {
            sampled += lineLength(i + 1, messages.get(i));
            count++;
        }
        return sampled * n / count;
    }

    /** {@code * seq FETCH (UID uid FLAGS (flags))} with its CRLF, as RFC 9051 7.5.2 shapes it. */
    static int lineLength(long seq, MessageState m) {
        return ("* " + seq + " FETCH (UID " + m.uid() + " FLAGS " + m.flags().toImap() + ")\r\n").length();
    }

    /** Counts the resync whose answer began when the client had been sent {@code startBytes}. */
    static void record(Session s, String kind, long startBytes, MailboxSnapshot snapshot) {
        if (snapshot != null) {
            s.clientResync(kind, s.bytesToClient() - startBytes, fullFlagListing(snapshot));
        }
    }
}

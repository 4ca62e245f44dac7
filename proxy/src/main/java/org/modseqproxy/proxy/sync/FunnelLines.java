package org.modseqproxy.proxy.sync;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.modseqproxy.metrics.ProxyMetrics;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.state.MessageState;
import org.modseqproxy.state.UidSet;

/**
 * The lines only the funnel writes to the client: HIGHESTMODSEQ and NOMODSEQ (RFC 7162 3.1.2), VANISHED (3.2.10),
 * the FETCH of a QRESYNC resync (3.2.5.2), and the mod-sequences inside SEARCH, ESEARCH and STATUS answers (3.1.5,
 * 3.1.10, 3.1.7; decided by the pure {@link ModSeqAnswers}). Made by {@link MailboxSync} alone; commands reach it
 * through {@link MailboxSync#lines()}.
 */
public final class FunnelLines {
    private final ClientPort session;
    private final ProxyMetrics metrics;
    private final ExpungeBatch expunges;
    private final Supplier<SelectedMailbox> selected;

    FunnelLines(ClientPort session, ProxyMetrics metrics, ExpungeBatch expunges, Supplier<SelectedMailbox> selected) {
        this.session = session;
        this.metrics = metrics;
        this.expunges = expunges;
        this.selected = selected;
    }

    /** A client's CHANGEDSINCE/QRESYNC mod-sequence as the selected mailbox can answer it (see ModSeqAnswers#since). */
    public long since(long clientModSeq) {
        long highest = selected.get().snapshot().highestModSeq();
        long since = ModSeqAnswers.since(clientModSeq, highest);
        if (since != clientModSeq) {
            session.log()
                    .info("client mod-sequence {} is above HIGHESTMODSEQ {}: answering in full", clientModSeq, highest);
        }
        return since;
    }

    /** RFC 7162 3.1.2.1 / 3.1: "* OK [HIGHESTMODSEQ n]". */
    public void highestModSeq(long highestModSeq) {
        session.writeLine("* OK [HIGHESTMODSEQ " + highestModSeq + "] Highest");
    }

    /** RFC 7162 3.1.2.2: state off, or the store unreachable: said once, counted. */
    public void noModSeq(String reason) {
        metrics.resync("nomodseq", 0);
        metrics.noModSeq(reason);
        session.writeLine("* OK [NOMODSEQ] Sorry, this mailbox has no mod-sequences right now");
    }

    /** RFC 7162 3.2.5.1 and 3.2.6: "* VANISHED (EARLIER) uids", unless there are none. */
    public void vanishedEarlier(UidSet uids) {
        if (!uids.isEmpty()) {
            session.writeLine("* VANISHED (EARLIER) " + uids.toImapString());
        }
    }

    /** RFC 7162 3.2.5.1: a message changed since the client's mod-sequence, with everything a resync needs. */
    public void changed(int seq, MessageState m) {
        session.writeLine("* " + seq + " FETCH (UID " + m.uid() + " FLAGS "
                + m.flags().toImap() + " MODSEQ (" + m.modSeq() + "))");
    }

    /**
     * A SEARCH or ESEARCH answer with the highest mod-sequence of what it found (RFC 7162 3.1.5, 3.1.10); false for any
     * other line.
     */
    public boolean searchAnswer(Frame frame, boolean uid) {
        String line = ModSeqAnswers.search(frame, selected.get(), uid);
        if (line == null) {
            return false;
        }
        session.writeLine(line);
        return true;
    }

    /** RFC 7162 3.1.7: the STATUS line with our HIGHESTMODSEQ and the backend's other values. */
    public void statusAnswer(String mailbox, List<String> requested, Map<String, Long> backendValues, long hms) {
        session.writeLine(ModSeqAnswers.status(mailbox, requested, backendValues, hms));
    }

    /** Writes the coalesced "* VANISHED uids", if any: before any other response, after each backend read, at the end. */
    public void flushVanished() {
        UidSet gone = expunges.takeVanished();
        if (gone != null) {
            session.writeLine("* VANISHED " + gone.toImapString());
        }
    }
}

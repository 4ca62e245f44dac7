package org.modseqproxy.state;

import java.util.List;
import java.util.Optional;

/** A mailbox's stored state at one moment; immutable. */
public interface MailboxSnapshot {

    long uidValidity();

    /** HIGHESTMODSEQ (RFC 7162 3.1.2.1); never 0. */
    long highestModSeq();

    /** Mod-sequence at or below which the expunge log is incomplete (RFC 7162 5.3). */
    long expungeHorizon();

    int size();

    Optional<MessageState> get(long uid);

    /** All messages, ascending by uid. */
    List<MessageState> messages();

    /** Messages with modSeq &gt; m, ascending by uid (RFC 7162 3.1.4.1 CHANGEDSINCE). */
    List<MessageState> changedSince(long m);

    UidSet uids();

    /**
     * The UIDs, ascending, in a fresh array the caller owns: what a session's message numbering starts from (RFC 9051
     * 2.3.1.2). The store's snapshots copy them bucket by bucket, without building a {@link UidSet} first.
     */
    default long[] uidArray() {
        return uids().stream().toArray();
    }

    /**
     * The stored state a recently expunged message had when it went, if this snapshot remembers it: a store's
     * snapshot derived in this process from the one that held the message remembers the last few hundred; one read
     * back from a shared store does not. A session still showing the message (its EXPUNGE not sent yet, RFC 9051
     * 7.5.1) answers with it, as a native server's session does: a MOVEd message (RFC 6851) keeps its mod-sequence.
     */
    default Optional<MessageState> departedState(long uid) {
        return Optional.empty();
    }

    /**
     * UIDs this snapshot holds that {@code newer} (a later snapshot of the same mailbox) lacks: the messages expunged
     * between the two. Compared message by message here; the stores' own snapshots skip what the two share, so a
     * session can ask after every change without paying for the whole mailbox.
     */
    default UidSet lackedBy(MailboxSnapshot newer) {
        UidSet.Builder gone = new UidSet.Builder();
        for (MessageState m : messages()) {
            if (newer.get(m.uid()).isEmpty()) {
                gone.add(m.uid());
            }
        }
        return gone.build();
    }
}

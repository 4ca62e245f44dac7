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
}

package org.modseqproxy.state;

/**
 * Result of {@link ModSeqStore#sync} / {@link ModSeqStore#apply}: the mailbox after the change, what the batch did,
 * and the one mod-sequence it assigned to all of it (0 if nothing changed).
 */
public record SyncResult(MailboxSnapshot snapshot, UidSet added, UidSet changed, UidSet expunged, long assignedModSeq) {

    public boolean changedAnything() {
        return assignedModSeq != 0;
    }
}

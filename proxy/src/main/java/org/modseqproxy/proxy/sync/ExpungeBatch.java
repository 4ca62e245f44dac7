package org.modseqproxy.proxy.sync;

import org.modseqproxy.state.UidSet;

/**
 * The expunges of the running command: the UIDs to log in the store as one batch at its end, and, after ENABLE
 * QRESYNC, the UIDs still to be told as one "* VANISHED" (RFC 7162 3.2.10: a run of EXPUNGEs, as UID EXPUNGE 60:61
 * produces, is one VANISHED 60:61 on native servers).
 */
final class ExpungeBatch {
    private UidSet.Builder expunged = new UidSet.Builder();
    private boolean anyExpunged;
    private UidSet.Builder vanished = new UidSet.Builder();
    private boolean anyVanished;

    /** A message of the view was expunged ({@code uid} 0: one the view could not name, nothing to log). */
    void expunged(long uid) {
        if (uid > 0) {
            expunged.add(uid);
            anyExpunged = true;
        }
    }

    /** The client is to hear of this expunge as VANISHED. */
    void vanish(long uid) {
        vanished.add(uid);
        anyVanished = true;
    }

    /** Whether the command expunged anything so far (RFC 7162 3.2.7: its tagged OK then carries HIGHESTMODSEQ). */
    boolean any() {
        return anyExpunged;
    }

    /** The UIDs to log, or null when there are none; the batch starts again. */
    UidSet takeExpunged() {
        if (!anyExpunged) {
            return null;
        }
        UidSet gone = expunged.build();
        expunged = new UidSet.Builder();
        anyExpunged = false;
        return gone;
    }

    /** The UIDs still to be told as VANISHED, or null. */
    UidSet takeVanished() {
        if (!anyVanished) {
            return null;
        }
        UidSet gone = vanished.build();
        vanished = new UidSet.Builder();
        anyVanished = false;
        return gone;
    }
}

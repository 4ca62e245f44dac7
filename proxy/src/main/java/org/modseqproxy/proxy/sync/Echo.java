package org.modseqproxy.proxy.sync;

import org.modseqproxy.state.UidSet;

/**
 * What the client must see of the FETCH lines the backend sends during one command: the value a command hands the
 * funnel before it forwards, instead of flags the funnel would have to reset. The funnel applies it to every FETCH
 * of that command and forgets it at the command's end.
 *
 * @param fetch how each FETCH line is echoed
 * @param withUid a silent STORE answer names the UID (UID STORE, RFC 9051 6.4.9; always after ENABLE QRESYNC)
 * @param stored the UIDs of the client's own STORE: their lines answer it, so their flags are checked against the
 *     store, not only the session's snapshot, so that a change is never paired with a stale mod-sequence (RFC 7162
 *     3.1.3); the other lines of the command are reports the backend had pending (empty for any other command)
 * @param change what that STORE does to the flags (null for any other command)
 */
public record Echo(Fetch fetch, boolean withUid, UidSet stored, FlagChange change) {
    /** How a FETCH line reaches the client. */
    public enum Fetch {
        /** As the backend sent it; MODSEQ added to lines with FLAGS once CONDSTORE is on (RFC 7162 3.1.4.1). */
        PLAIN,
        /** The client asked for MODSEQ (FETCH MODSEQ, CHANGEDSINCE): every line carries it (RFC 7162 3.1.4). */
        WITH_MODSEQ,
        /** STORE .SILENT under CONDSTORE: only "UID/MODSEQ" go back (RFC 7162 3.1.3, Examples 3 and 4). */
        SILENT
    }

    /** Any command that asked for nothing special. */
    public static final Echo PLAIN = new Echo(Fetch.PLAIN, false, UidSet.empty(), null);

    /** FETCH with the MODSEQ item or the CHANGEDSINCE modifier. */
    public static final Echo WITH_MODSEQ = new Echo(Fetch.WITH_MODSEQ, false, UidSet.empty(), null);

    /** The client's own STORE doing {@code change} to {@code uids} (silent or not; UID STORE names the UID in a silent answer). */
    public static Echo store(boolean silent, boolean uid, UidSet uids, FlagChange change) {
        return new Echo(silent ? Fetch.SILENT : Fetch.PLAIN, uid, uids, change);
    }

    /** The line for {@code uid} answers the client's own STORE. */
    public boolean ownStore(long uid) {
        return stored.contains(uid);
    }
}

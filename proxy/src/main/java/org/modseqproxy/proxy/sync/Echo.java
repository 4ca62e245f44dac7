package org.modseqproxy.proxy.sync;

/**
 * What the client must see of the FETCH lines the backend sends during one command: the value a command hands the
 * funnel before it forwards, instead of flags the funnel would have to reset. The funnel applies it to every FETCH
 * of that command and forgets it at the command's end.
 *
 * @param fetch how each FETCH line is echoed
 * @param withUid a silent STORE answer names the UID (UID STORE, RFC 9051 6.4.9; always after ENABLE QRESYNC)
 * @param ownStore the lines answer the client's own STORE: the flags are checked against the store, not only the
 *     session's snapshot, so that a change is never paired with a stale mod-sequence (RFC 7162 3.1.3)
 */
public record Echo(Fetch fetch, boolean withUid, boolean ownStore) {
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
    public static final Echo PLAIN = new Echo(Fetch.PLAIN, false, false);

    /** FETCH with the MODSEQ item or the CHANGEDSINCE modifier. */
    public static final Echo WITH_MODSEQ = new Echo(Fetch.WITH_MODSEQ, false, false);

    /** The client's own STORE (silent or not; UID STORE names the UID in a silent answer). */
    public static Echo store(boolean silent, boolean uid) {
        return new Echo(silent ? Fetch.SILENT : Fetch.PLAIN, uid, true);
    }
}

package org.modseqproxy.proxy.sync;

import io.vertx.core.buffer.Buffer;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.SyncResult;

/**
 * What one FETCH line from the backend becomes for the client: a pure decision from the line, the mod-sequence the
 * message has now, the command's {@link Echo} and what the session enabled. The funnel alone calls it.
 */
final class FetchEcho {
    private FetchEcho() {}

    /**
     * @param uid the message's UID, from the line or the view (0 when the view cannot name it)
     * @param modSeq its mod-sequence now, 0 when the store could not give one (the client then gets no MODSEQ)
     * @return the bytes to write, or null when the client must get nothing
     */
    static Buffer line(
            Buffer raw, FetchResponse f, long uid, long modSeq, Echo echo, boolean condstore, boolean qresync) {
        if (echo.fetch() == Echo.Fetch.SILENT) {
            // RFC 7162 3.1.3: a STORE .SILENT under CONDSTORE answers only "MODSEQ" (with UID for UID STORE, RFC 9051
            // 6.4.9, and after ENABLE QRESYNC, 3.2.4). A plain client's .SILENT: the proxy asked the backend for the
            // flags for itself, the client gets nothing; nor when the store could not give a mod-sequence.
            return condstore && modSeq > 0
                    ? Buffer.buffer(silent(f.seq(), echo.withUid() || qresync ? uid : 0, modSeq))
                    : null;
        }
        if (modSeq > 0 && condstore && (f.flags() != null || echo.fetch() == Echo.Fetch.WITH_MODSEQ)) {
            // RFC 7162 3.1.4.1: once CONDSTORE is on, every FETCH carrying FLAGS carries MODSEQ; MODSEQ asked for: all.
            // UID goes with it (3.1.4.2 pairs them; a line without UID cannot be matched to a cached message).
            return FetchResponse.withUidAndModSeq(raw, f.uid() > 0 ? -1 : uid, modSeq);
        }
        return withUidAfterQresync(raw, f, uid, qresync);
    }

    /** RFC 7162 3.2.4: once QRESYNC is enabled, a FETCH line without UID gets the one the view knows. */
    static Buffer withUidAfterQresync(Buffer raw, FetchResponse f, long uid, boolean qresync) {
        return !qresync || f.uid() > 0 || uid <= 0 ? raw : FetchResponse.withUid(raw, uid);
    }

    /** "* seq FETCH ([UID uid ]MODSEQ (m))"; {@code uid} 0 leaves UID out. */
    static String silent(long seq, long uid, long modSeq) {
        return "* " + seq + " FETCH (" + (uid > 0 ? "UID " + uid + " " : "") + "MODSEQ (" + modSeq + "))\r\n";
    }

    /**
     * The mod-sequence to show next to the flags a line carries, after the store applied them. Ours when our batch set
     * them; when the store already holds a later change by another instance (it reloads after a no-op), that change's
     * mod-sequence must not be paired with these older flags: a client keeping both would never be told of the later
     * change. One less is safe: a resync from there reports the later change (fuller, never wrong).
     */
    static long modSeqFor(SyncResult r, long uid, Flags lineFlags) {
        if (r.assignedModSeq() > 0 && (r.changed().contains(uid) || r.added().contains(uid))) {
            return r.assignedModSeq();
        }
        return r.snapshot()
                .get(uid)
                .map(m -> m.flags().equals(lineFlags) ? m.modSeq() : Math.max(1, m.modSeq() - 1))
                .orElse(Math.max(1, r.snapshot().highestModSeq() - 1));
    }
}

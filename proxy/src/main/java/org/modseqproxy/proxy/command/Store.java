package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.modseqproxy.proxy.sync.Echo;
import org.modseqproxy.proxy.sync.FlagChange;
import org.modseqproxy.proxy.sync.MailboxSync;
import org.modseqproxy.proxy.sync.SelectedMailbox;
import org.modseqproxy.state.Reservation;
import org.modseqproxy.state.UidSet;

/**
 * STORE / UID STORE with UNCHANGEDSINCE and the MODIFIED response code (RFC 7162 3.1.3). With mod-sequences on,
 * the backend always gets a non-silent UID STORE so the proxy learns the new flags and gives them a mod-sequence;
 * a client's .SILENT then gets only "FETCH (MODSEQ ...)" lines, as RFC 7162 3.1.3 requires.
 *
 * <p>UNCHANGEDSINCE is checked and the passing messages are held in one atomic step of the store ({@code
 * ModSeqStore#reserve}) before the STORE goes to the backend, so of two conditional STOREs racing on a message through
 * different sessions or proxy instances at most one wins; the other gets [MODIFIED]. The hold moves no mod-sequence:
 * a conditional STORE that changes nothing leaves the message's mod-sequence alone, as native servers do (RFC 7162
 * 3.1, "SHOULD NOT change the mod-sequence"). Limits: a writer that bypasses the proxies (webmail, LDA) can still slip
 * a change in between: the next sync gives that change its own, higher mod-sequence, so clients see it, but the
 * conditional STORE did not fail for it; and a STORE racing one in flight fails even if that one ends up changing
 * nothing (a [MODIFIED] the client resolves with a FETCH, 3.1.3).
 */
final class Store {
    /** What an unconditional STORE reserves: nothing. */
    private static final Reservation NONE = new Reservation(UidSet.empty(), UidSet.empty(), "", 0);

    private Store() {}

    static Future<Void> handle(Command cmd, Session s) {
        MailboxSync sync = s.sync();
        StoreArgs a = StoreArgs.parse(cmd.args());
        if (a.conditional()) {
            Args.checkSet(sync.selected(), a.set(), cmd.uid());
            sync.enableCondstore(); // RFC 7162 3.1: a CONDSTORE enabling command
        }
        Long since = a.unchangedSince();
        // UNCHANGEDSINCE is checked against the store's current state, not this session's last view of it.
        Future<Boolean> active = since != null
                ? sync.ensureModSeq().compose(on -> on ? sync.refresh().map(on) : Future.succeededFuture(on))
                : Future.succeededFuture(sync.modSeqActive());
        return active.compose(on -> {
            if (!on) {
                if (since != null) {
                    // RFC 7162 3.1.2.2
                    return Future.failedFuture(ImapException.bad("NOMODSEQ", "This mailbox has no mod-sequences"));
                }
                return PassThrough.handle(cmd, s);
            }
            SelectedMailbox mb = sync.selected();
            UidSet uids = Args.uids(mb, a.set(), cmd.uid());
            Future<Reservation> reserved = since == null
                    ? Future.succeededFuture(NONE)
                    : sync.reserve(mb, uids, since)
                            .recover(err ->
                                    // the store cannot vouch for the condition: this mailbox has no mod-sequences now
                                    // (RFC 7162 3.1.2.2)
                                    Future.failedFuture(
                                            ImapException.bad("NOMODSEQ", "This mailbox has no mod-sequences now")));
            return reserved.compose(r -> {
                UidSet failedUids = r.modified();
                UidSet passUids = uids.minus(failedUids);
                String modified = failedUids.isEmpty() ? null : modifiedSet(mb, failedUids, cmd.uid());
                sync.expect(Echo.store(a.silent(), cmd.uid(), passUids, FlagChange.of(a.action(), a.flags())));
                if (passUids.isEmpty()) {
                    return sync.finish(
                            cmd.tag(),
                            modified == null
                                    ? "OK STORE completed"
                                    : "OK [MODIFIED " + modified + "] Conditional STORE failed");
                }
                // A STORE stays a STORE toward the backend: during a UID command the backend may send EXPUNGE, which
                // must never reach a client in the middle of its sequence-number STORE (RFC 9051 7.5.1).
                String target = cmd.uid()
                        ? "UID STORE " + passUids.toImapString()
                        : "STORE " + Args.sequenceNumbers(mb, passUids);
                String rest = target + " " + a.action() + " " + a.flags() + "\r\n";
                // The backend's answer ends the hold: what the STORE changed got its mod-sequence from the FETCH
                // reports meanwhile, what it did not change keeps its own. Without an answer the outcome is unknown
                // and the held messages are stamped as changed (ModSeqStore#release).
                return s.forward(cmd, Buffer.buffer(rest, "UTF-8"))
                        .compose(
                                tagged -> sync.release(mb, r, false).map(tagged),
                                err -> sync.release(mb, r, true).compose(v -> Future.failedFuture(err)))
                        .compose(tagged -> {
                            if (modified != null && "OK".equals(tagged.keyword())) {
                                return sync.finish(
                                        cmd.tag(), "OK [MODIFIED " + modified + "] Conditional STORE failed");
                            }
                            return sync.finish(cmd.tag(), tagged);
                        });
            });
        });
    }

    /** RFC 7162 3.1.3: message numbers for STORE, UIDs for UID STORE. */
    private static String modifiedSet(SelectedMailbox mb, UidSet failed, boolean uid) {
        return uid ? failed.toImapString() : Args.sequenceNumbers(mb, failed);
    }
}

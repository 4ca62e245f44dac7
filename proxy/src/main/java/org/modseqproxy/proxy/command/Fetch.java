package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.proxy.codec.Token;
import org.modseqproxy.proxy.sync.Echo;
import org.modseqproxy.proxy.sync.MailboxSync;
import org.modseqproxy.proxy.sync.SelectedMailbox;
import org.modseqproxy.state.UidSet;
import org.modseqproxy.state.Vanished;

/**
 * FETCH / UID FETCH with the MODSEQ item and the CHANGEDSINCE and VANISHED modifiers (RFC 7162 3.1.4, 3.2.6).
 * The backend never sees them: MODSEQ comes from the view, CHANGEDSINCE becomes a UID set of changed messages.
 */
final class Fetch {
    private Fetch() {}

    static Future<Void> handle(Command cmd, Session s) {
        MailboxSync sync = s.sync();
        FetchArgs a = FetchArgs.parse(cmd.args());
        if (!a.vanishedAllowed(cmd.uid(), sync.enabled().qresync())) {
            // RFC 7162 3.2.6: VANISHED only in UID FETCH, with CHANGEDSINCE, after ENABLE QRESYNC.
            return Future.failedFuture(ImapException.bad("VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC"));
        }
        if (!a.needsModSeq()) {
            return PassThrough.handle(cmd, s); // the funnel still adds MODSEQ to FLAGS lines once CONDSTORE is on
        }
        Args.checkSet(sync.selected(), a.set(), cmd.uid());
        sync.enableCondstore(); // RFC 7162 3.1: a CONDSTORE enabling command
        Long since = a.changedSince();
        boolean wantVanished = a.vanished();
        return sync.ensureModSeq().compose(active -> {
            if (!active) {
                // RFC 7162 3.1.2.2: MODSEQ / CHANGEDSINCE in a mailbox without mod-sequences is a BAD.
                return Future.failedFuture(ImapException.bad("NOMODSEQ", "This mailbox has no mod-sequences"));
            }
            SelectedMailbox mb = sync.selected();
            List<Token> backendItems = a.items();
            String itemText = backendItems.isEmpty() ? "UID" : Args.serialize(backendItems);
            if (since == null) {
                sync.expect(Echo.WITH_MODSEQ);
                String rest = cmd.name() + " " + a.set() + " (" + itemText + ")\r\n";
                return s.forward(cmd, Buffer.buffer(rest, "UTF-8")).compose(t -> sync.finish(cmd.tag(), t));
            }
            // The set means what it meant when the client sent it: the messages it had been told of (RFC 9051 6.4.5).
            UidSet requested = Args.uids(mb, a.set(), cmd.uid()).intersect(mb.announcedUids());
            // For VANISHED, '*' must not shrink what the client asks about to the UIDs still here: "1:*" covers an
            // expunged message that had the highest UID (native Dovecot reports it; a client would keep a ghost of it
            // forever).
            UidSet askedAbout = wantVanished ? Args.sequenceSet(a.set(), Args.MAX_NUMBER) : requested;
            long startBytes = s.bytesToClient();
            long from = sync.lines().since(since); // a value above HIGHESTMODSEQ: lost state, answered in full
            Future<Void> before =
                    wantVanished ? vanishedEarlier(s, sync, mb, askedAbout, from) : Future.succeededFuture();
            String kind = wantVanished ? MeterNames.CLIENT_RESYNC_VANISHED : MeterNames.CLIENT_RESYNC_CHANGEDSINCE;
            return before.compose(v -> {
                        // RFC 7162 3.1.4.1: messages whose mod-sequence is greater than the value (CHANGEDSINCE 0: all
                        // of
                        // them), including those expunged behind this session that the client still sees, as a native
                        // server's session reports them until it may send their EXPUNGE.
                        UidSet uids = mb.changedSince(from).intersect(requested);
                        if (uids.isEmpty()) {
                            // Answered from what this session knows, then one backend round trip reports other
                            // sessions'
                            // changes (flags, expunges, new mail) after the answer, as a native server does at the end
                            // of a
                            // command.
                            return backendUpdates(s, sync, cmd, mb)
                                    .compose(x -> sync.finish(cmd.tag(), "OK FETCH completed"));
                        }
                        sync.expect(Echo.WITH_MODSEQ);
                        boolean hasFlags = a.hasFlags();
                        // As the client asked: a sequence-number FETCH must not let the backend slip an EXPUNGE in (RFC
                        // 9051
                        // 7.5.1).
                        String target = cmd.uid()
                                ? "UID FETCH " + uids.toImapString()
                                : "FETCH " + Args.sequenceNumbers(mb, uids);
                        String rest = target + " (" + itemText + (hasFlags || backendItems.isEmpty() ? "" : " FLAGS")
                                + ")\r\n";
                        return s.forward(cmd, Buffer.buffer(rest, "UTF-8")).compose(t -> sync.finish(cmd.tag(), t));
                    })
                    .andThen(ar -> {
                        if (ar.succeeded()) {
                            ResyncCost.record(s, kind, startBytes, mb.snapshot());
                        }
                    });
        });
    }

    /**
     * One backend round trip after a CHANGEDSINCE answer that needed nothing from the backend, so that pending changes
     * of other sessions (flags, expunges, new mail) reach the client through the funnel before the tagged OK, as a
     * native server reports them at the end of each command. UID FETCH: a NOOP. FETCH: "FETCH * (UID)", which the
     * backend must not answer with EXPUNGE (RFC 9051 7.5.1); its own FETCH line is swallowed.
     */
    private static Future<Void> backendUpdates(Session s, MailboxSync sync, Command cmd, SelectedMailbox mb) {
        if (cmd.uid()) {
            return s.forward(cmd, Buffer.buffer("NOOP\r\n")).mapEmpty();
        }
        if (mb.size() == 0) {
            return Future.succeededFuture();
        }
        sync.hook(f -> "FETCH".equals(f.keyword())
                && f.tokens().size() == 3
                && f.tokens().get(2) instanceof Token.ListTok l
                && l.items().size() == 2
                && Args.isAtom(l.items().get(0), "UID"));
        return s.forward(cmd, Buffer.buffer("FETCH * (UID)\r\n"))
                .<Void>mapEmpty()
                .andThen(ar -> sync.hook(null));
    }

    /** RFC 7162 3.2.6: "* VANISHED (EARLIER)" for requested UIDs expunged since the client's mod-sequence. */
    private static Future<Void> vanishedEarlier(
            Session s, MailboxSync sync, SelectedMailbox mb, UidSet requested, long since) {
        return sync.store().vanishedSince(mb.id(), mb.uidValidity(), since).map(v -> {
            UidSet gone;
            if (v instanceof Vanished.Exact e) {
                // Exactly what was expunged after the client's mod-sequence (3.2.6), less the messages this session
                // still shows: their EXPUNGE has not reached this session's backend connection yet, and when it does
                // the client gets "* VANISHED" for them (so it never sees a FETCH for a UID it was just told is gone,
                // nor the UID twice).
                gone = e.uids().intersect(requested).minus(mb.announcedUids());
            } else {
                // Below the expunge log's horizon: every asked-about UID that is not here (ranges, never enumerated).
                // It may name UIDs that never existed, which RFC 7162 3.2.6 allows; clamping it to the highest UID the
                // view knows would hide an expunged highest message (the case of issue 9 defect 8).
                gone = requested.minus(mb.snapshot().uids());
            }
            sync.lines().vanishedEarlier(gone);
            return null;
        });
    }
}

package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.ImapEncoder;
import org.modseqproxy.proxy.codec.Token;
import org.modseqproxy.proxy.config.ProxyConfig;
import org.modseqproxy.proxy.sync.MailboxSync;
import org.modseqproxy.proxy.sync.Opening;
import org.modseqproxy.proxy.sync.SelectedMailbox;
import org.modseqproxy.state.MailboxSnapshot;
import org.modseqproxy.state.MessageState;
import org.modseqproxy.state.UidSet;
import org.modseqproxy.state.Vanished;

/**
 * SELECT / EXAMINE with the CONDSTORE and QRESYNC parameters (RFC 7162 3.1.2, 3.2.5). The backend gets a plain
 * SELECT; the proxy lists the mailbox (RFC 5162 section 5), syncs the store, and answers HIGHESTMODSEQ, then for
 * QRESYNC the VANISHED (EARLIER) and FETCH lines, all before the tagged OK.
 */
final class Select {

    private Select() {}

    static Future<Void> handle(Command cmd, Session s) {
        MailboxSync sync = s.sync();
        SelectArgs a = SelectArgs.parse(cmd.name(), cmd.args());
        String mailbox = a.mailbox();
        SelectArgs.Qresync qresync = a.qresync();
        if (qresync != null && !sync.enabled().qresync()) {
            // RFC 7162 3.2.5: QRESYNC parameter without ENABLE QRESYNC is an error.
            return Future.failedFuture(ImapException.bad("QRESYNC is not enabled"));
        }
        if (a.condstore()) {
            sync.enableCondstore();
        }
        // Exclusive mode keeps the view and the store current for every session, CONDSTORE or not: nobody lists the
        // mailbox later, so a plain session's STORE .SILENT or EXPUNGE must be witnessed as it passes (issue: a plain
        // writer's changes were never reported to QRESYNC clients). The client hears HIGHESTMODSEQ only with CONDSTORE.
        boolean wantModSeq = sync.enabled().condstore() || sync.policy().mode() == ProxyConfig.Consistency.EXCLUSIVE;
        boolean readOnly = cmd.name().equals("EXAMINE");
        SelectArgs.Qresync q = qresync;
        long startBytes = s.bytesToClient();
        return (sync.enabled().condstore() ? sync.enableOnBackend() : Future.<Void>succeededFuture())
                .compose(ready -> {
                    sync.closePrevious();
                    // RFC 7162 3.2.5: the QRESYNC answer's FETCH sequence numbers and its EXISTS must agree, so the
                    // count the
                    // client hears is the one of the proxy's final listing (an EXPUNGE during the listing would
                    // otherwise skew
                    // them). The same for a plain SELECT after ENABLE QRESYNC: an EXPUNGE during its listing could only
                    // reach
                    // the client raw (its UID is not known yet), where RFC 7162 3.2.10.2 requires VANISHED.
                    Opening opening = new Opening(sync.enabled().qresync()
                            && !sync.enabled().backendEnabled()
                            && sync.policy().modSeqFor(mailbox));
                    sync.opening(opening);
                    // A backend with its own CONDSTORE/QRESYNC gets the client's SELECT as written: its mailboxes with
                    // mod-sequences pass through untouched; for one that answers NOMODSEQ the proxy synthesizes (issue:
                    // OMA CPM
                    // 6.7 client side).
                    Buffer rest = sync.enabled().backendEnabled()
                            ? null
                            : Buffer.buffer(cmd.name() + " " + ImapEncoder.astring(mailbox) + "\r\n", "UTF-8");
                    return (rest == null ? s.forward(cmd) : s.forward(cmd, rest)).compose(tagged -> {
                        sync.opening(null);
                        return selected(s, cmd, tagged, opening.answer(), mailbox, readOnly, wantModSeq, q);
                    });
                })
                .andThen(ar -> {
                    SelectedMailbox mb = sync.selected();
                    if (ar.succeeded() && q != null && mb != null && mb.modSeq() && !mb.nativeModSeq()) {
                        ResyncCost.record(s, MeterNames.CLIENT_RESYNC_QRESYNC_SELECT, startBytes, mb.snapshot());
                    }
                });
    }

    private static Future<Void> selected(
            Session s,
            Command cmd,
            Frame tagged,
            Opening.Answer opening,
            String mailbox,
            boolean readOnly,
            boolean wantModSeq,
            SelectArgs.Qresync q) {
        MailboxSync sync = s.sync();
        if (!"OK".equals(tagged.keyword())) {
            opening.held().forEach(s::write);
            sync.unselect(); // RFC 9051 6.3.2: a failed SELECT leaves no mailbox selected
            return sync.finish(cmd.tag(), tagged);
        }
        sync.closedPreviousIfPending(); // a backend whose answer had no line the funnel recognised
        SelectedMailbox mb = new SelectedMailbox(mailbox, sync.idFor(mailbox), readOnly, opening.uidValidity());
        mb.exists(opening.exists());
        mb.announce(); // the backend's EXISTS went to the client as part of the SELECT answer, or is owed below
        mb.holdingExists(opening.holdsExists());
        mb.heldLines(opening.held());
        sync.select(mb);
        if (sync.enabled().backendEnabled()) {
            sync.enabled().backendModSeq(mailbox, opening.nativeModSeq());
            if (opening.nativeModSeq()) {
                mb.nativeModSeq(true); // HIGHESTMODSEQ, VANISHED and FETCH came from the backend and were relayed
                return sync.finish(cmd.tag(), tagged);
            }
        }
        if (!wantModSeq) {
            return sync.finish(cmd.tag(), tagged);
        }
        if (opening.uidValidity() <= 0 || !sync.policy().modSeqFor(mailbox)) {
            String reason = opening.uidValidity() <= 0 ? MeterNames.NOMODSEQ_BACKEND : MeterNames.NOMODSEQ_STATE_OFF;
            return noModSeq(s, mb, reason).compose(v -> sync.finish(cmd.tag(), tagged));
        }
        mb.listing(true); // from now until the listing is done, EXISTS/EXPUNGE are the listing's business
        return uidNext(s, mailbox, opening.uidNext())
                .compose(uidNext -> sync.resync(mb, opening.exists(), uidNext).compose(r -> {
                    owedExists(s, mb);
                    if (sync.enabled().condstore()) {
                        sync.lines().highestModSeq(r.snapshot().highestModSeq());
                    }
                    return q == null ? Future.succeededFuture() : qresyncAnswer(sync, mb, q, uidNext);
                }))
                .recover(err -> {
                    s.log().warn("no mod-sequences for {} this time ({}); answering NOMODSEQ", mailbox, err.toString());
                    return noModSeq(s, mb, MeterNames.NOMODSEQ_STORE_DOWN);
                })
                .compose(v -> sync.finish(cmd.tag(), tagged));
    }

    /**
     * A backend that sends no UIDNEXT with SELECT (Courier) is asked with STATUS: the listing needs it to know which
     * UIDs it is authoritative for, and QRESYNC needs it for an omitted known-uids (RFC 7162 3.2.5.1). 0 when unknown.
     */
    private static Future<Long> uidNext(Session s, String mailbox, long fromSelect) {
        if (fromSelect > 0) {
            return Future.succeededFuture(fromSelect);
        }
        return s.internal("STATUS " + ImapEncoder.astring(mailbox) + " (UIDNEXT)")
                .map(r -> {
                    long uidNext = 0;
                    for (Frame f : r.untagged()) {
                        if ("STATUS".equals(f.keyword())
                                && f.tokens().get(f.tokens().size() - 1) instanceof Token.ListTok l) {
                            List<Token> items = l.items();
                            for (int i = 0; i + 1 < items.size(); i++) {
                                if (Args.isAtom(items.get(i), "UIDNEXT")) {
                                    try {
                                        uidNext =
                                                Long.parseLong(items.get(i + 1).stringValue());
                                    } catch (RuntimeException e) {
                                        // unparseable: the listing falls back to its highest UID + 1
                                    }
                                }
                            }
                        }
                    }
                    return uidNext;
                })
                .recover(err -> Future.succeededFuture(0L));
    }

    /** The EXISTS held back during a QRESYNC select: the final listing's count. */
    private static void owedExists(Session s, SelectedMailbox mb) {
        if (mb.holdingExists()) {
            mb.holdingExists(false);
            if (mb.modSeq()) {
                // Messages that arrived after the listing are told with their UIDs, before the tagged OK
                // (MailboxSync.settle)
                s.writeLine("* " + mb.announceKnown() + " EXISTS");
            } else {
                mb.announce(); // NOMODSEQ: a plain proxy from now on, nothing is held back
                s.writeLine("* " + mb.size() + " EXISTS");
            }
            mb.takeHeldLines().forEach(s::write); // UIDVALIDITY and the rest, after the count (Opening.Answer#held)
        }
    }

    /** RFC 7162 3.1.2.2: state off, or the store unreachable: say so, and keep working as a plain proxy. */
    private static Future<Void> noModSeq(Session s, SelectedMailbox mb, String reason) {
        mb.snapshot(null);
        owedExists(s, mb);
        boolean condstore = s.sync().enabled().condstore();
        mb.saidNoModSeq(condstore); // only what was said binds (RFC 7162 3.1: "unless ... sent a NOMODSEQ")
        if (condstore) {
            s.sync().lines().noModSeq(reason);
        }
        return Future.succeededFuture();
    }

    /** RFC 7162 3.2.5.1: VANISHED (EARLIER) first, then a FETCH for every message changed since the client's modseq. */
    private static Future<Void> qresyncAnswer(
            MailboxSync sync, SelectedMailbox mb, SelectArgs.Qresync q, long uidNext) {
        if (q.uidValidity() != mb.uidValidity()) {
            return Future.succeededFuture(); // RFC 7162 3.2.5: UIDVALIDITY changed, the client must resync fully
        }
        MailboxSnapshot snap = mb.snapshot();
        long top = Math.max(
                1,
                Math.max(
                        uidNext - 1,
                        Math.max(
                                mb.lastKnownUid(),
                                snap.uids().isEmpty() ? 1 : snap.uids().last())));
        UidSet known = q.knownUids();
        long since = sync.lines().since(q.modSeq());
        return sync.store().vanishedSince(mb.id(), mb.uidValidity(), since).map(v -> {
            UidSet vanished;
            if (v instanceof Vanished.Exact exact) {
                // RFC 7162 3.2.5.1: only UIDs the client named, when it named any
                vanished = known == null ? exact.uids() : exact.uids().intersect(known);
            } else {
                // Below the expunge-log horizon: every UID the client may know that is not here any more. Omitted
                // known-uids means 1:<UIDNEXT-1> (3.2.5.1); VANISHED (EARLIER) may name UIDs the client never saw.
                UidSet range = known != null ? known : UidSet.range(1, top);
                vanished = range.minus(snap.uids());
            }
            // Never a message this session still shows: the store may already log an expunge (by another session) that
            // this session's backend connection has not reported yet; the client was just told it exists (EXISTS counts
            // it), and it gets "* VANISHED" when the backend reports it. RFC 7162 3.2.10.1: VANISHED (EARLIER) does not
            // renumber, so naming a message still counted would leave the client's numbering off from the server's.
            vanished = vanished.minus(mb.announcedUids());
            sync.lines().vanishedEarlier(vanished);
            for (MessageState m : snap.changedSince(since)) {
                int seq = mb.seqOf(m.uid());
                // RFC 7162 3.2.5.2: with known-uids, the server reports only the messages the client named.
                if (seq > 0 && (known == null || known.contains(m.uid()))) {
                    sync.lines().changed(seq, m);
                }
            }
            return null;
        });
    }
}

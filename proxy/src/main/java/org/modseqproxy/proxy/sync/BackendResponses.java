package org.modseqproxy.proxy.sync;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.Frames;
import org.modseqproxy.proxy.codec.ImapDecoder;
import org.modseqproxy.proxy.codec.Token;
import org.modseqproxy.state.ChangeSet;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.MessageState;
import org.modseqproxy.state.SyncResult;
import org.modseqproxy.state.UidSet;

/**
 * The funnel's input side: every untagged response of the backend reaches the client through here, rewritten
 * against the selected mailbox's view (RFC 7162: MODSEQ added, EXPUNGE as VANISHED after ENABLE QRESYNC, new
 * messages announced once their UIDs are known, the backend's own HIGHESTMODSEQ/NOMODSEQ/CLOSED never relayed for a
 * mailbox whose mod-sequences are the proxy's). It reads what the running command handed {@link MailboxSync}
 * (its Echo, hook and Opening) and writes nothing of its own but rewritten lines.
 */
final class BackendResponses {
    private final ClientPort session;
    private final MailboxSync sync;

    BackendResponses(ClientPort session, MailboxSync sync) {
        this.session = session;
        this.sync = sync;
    }

    void untagged(Frame frame) {
        String kw = frame.keyword();
        if (sync.closePending() && startsSelectAnswer(frame)) {
            sync.closedPrevious();
        }
        if (!"EXPUNGE".equals(kw)) {
            sync.lines().flushVanished(); // anything after an expunge assumes the client has heard of it
        }
        if (sync.running().hook() != null && sync.running().hook().test(frame)) {
            return;
        }
        if (sync.running().opening() != null
                && kw != null
                && !sync.closePending()
                && sync.running().opening().take(frame)) {
            return;
        }
        if (sync.selected() != null && sync.selected().nativeModSeq()) {
            session.write(frame.raw()); // a backend with its own mod-sequences for this mailbox: untouched
            return;
        }
        if (!sync.enabled().backendEnabled() && (isCode(frame, "HIGHESTMODSEQ") || isCode(frame, "NOMODSEQ"))) {
            // The proxy's mod-sequences, not the backend's: a Dovecot with CONDSTORE hidden still answers SELECT
            // with its own [HIGHESTMODSEQ n] once the mailbox has tracked mod-sequences, and the client would see two
            // contradicting values (the first, the backend's, then used for QRESYNC). Only the funnel writes them.
            return;
        }
        if (isCode(frame, "CLOSED")) {
            // Dovecot says [CLOSED] on every re-SELECT whatever was enabled; the proxy says it itself (RFC 7162
            // 3.2.11).
            return;
        }
        if (sync.selected() != null && isCode(frame, "HIGHESTMODSEQ")) {
            // A backend's HIGHESTMODSEQ for a mailbox whose mod-sequences the proxy synthesizes (Dovecot sends one
            // after STATUS (HIGHESTMODSEQ) even for an in-memory-index mailbox) would contradict ours: never relayed.
            return;
        }
        if (sync.selected() != null && kw != null && selectedState(frame, kw)) {
            return;
        }
        if (sync.running().opening() != null
                && !sync.closePending()
                && sync.running().opening().hold(frame, frame.raw())) {
            return; // the held EXISTS goes out before these (see Opening.Answer#held)
        }
        session.write(frame.raw());
    }

    /** EXISTS, EXPUNGE, FETCH and VANISHED in the sync.selected() state; true when the line was dealt with. */
    private boolean selectedState(Frame frame, String kw) {
        if (sync.selected().listing() && ("EXISTS".equals(kw) || "EXPUNGE".equals(kw))) {
            ListingEvents events = sync.listingEvents();
            if (events != null) {
                if ("EXISTS".equals(kw)) {
                    events.exists(frame.number());
                } else {
                    events.expunge(frame.number());
                }
            }
            if (!sync.selected().holdingExists()) {
                session.write(frame.raw()); // the client counted the SELECT's EXISTS: it must see this too
            }
            // with the SELECT's EXISTS held back (QRESYNC), the client only ever hears the final listing's count
            return true;
        }
        switch (kw) {
            case "EXISTS" -> {
                sync.selected().exists(frame.number());
                if (sync.deferNew()) {
                    // RFC 7162 3.2.10: a VANISHED must name UIDs of messages the client was told about, so new messages
                    // are announced (with our own EXISTS) only once their UIDs are known: at the end of this command,
                    // or at once during IDLE by a transparent DONE/FETCH/IDLE cycle.
                    if (sync.selected().size() > sync.selected().announced()) {
                        session.requestIdleBreak();
                    }
                    return true;
                }
                sync.selected().announce();
                session.write(frame.raw());
                return true;
            }
            case "EXPUNGE" -> {
                expunge(frame);
                return true;
            }
            case "FETCH" -> {
                fetch(frame);
                return true;
            }
            case "RECENT" -> {
                // RFC 9051 7.3.2 / RFC 3501 7.3.2: RECENT counts messages of the mailbox; one above the count the
                // client heard names messages it does not have yet (imaptest: "seq too high"). New messages wait for
                // their UIDs (EXISTS above), so their RECENT follows the proxy's own EXISTS
                // (BackendListing#announceNew).
                if (sync.deferNew()
                        && sync.running().opening() == null
                        && frame.number() > sync.selected().announced()) {
                    sync.selected().holdRecent(frame.number());
                    return true;
                }
                return false;
            }
            case "VANISHED" -> {
                // Only a backend with QRESYNC enabled sends this (RFC 7162 3.2.10); keep the view and the log in step.
                vanishedFromBackend(frame);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private void expunge(Frame frame) {
        if (sync.deferNew()
                && (frame.number() > sync.selected().announced()
                        || frame.number() > sync.selected().size())) {
            // a message the client never heard of (or the backend's noise about one already gone): nothing to say
            sync.selected().expunge(frame.number());
            return;
        }
        long uid = sync.selected().expunge(frame.number());
        sync.expunges().expunged(uid);
        if (sync.enabled().qresync() && uid > 0) {
            // RFC 7162 3.2.10: after ENABLE QRESYNC, VANISHED replaces EXPUNGE. A run of EXPUNGEs (UID EXPUNGE 60:61)
            // becomes one "* VANISHED 60:61", as native servers send it; flushed before any other response.
            sync.expunges().vanish(uid);
        } else {
            session.write(frame.raw());
        }
    }

    private void vanishedFromBackend(Frame frame) {
        List<Token> t = frame.tokens();
        boolean earlier = t.size() > 1 && t.get(1) instanceof Token.ListTok;
        String set = t.isEmpty() ? null : t.get(t.size() - 1).stringValue();
        if (!earlier && set != null) {
            try {
                UidSet.parse(set, Math.max(1, sync.selected().lastKnownUid())).stream()
                        .forEach(uid -> {
                            int seq = sync.selected().seqOf(uid);
                            if (seq > 0) {
                                sync.selected().expunge(seq);
                                sync.expunges().expunged(uid);
                            }
                        });
            } catch (RuntimeException e) {
                // unparseable set: relayed as is; the next SELECT's listing repairs the log
            }
        }
        session.write(frame.raw());
    }

    /** An untagged FETCH: flags that changed get a new mod-sequence; with CONDSTORE on, MODSEQ is added. */
    private void fetch(Frame original) {
        SelectedMailbox mb = sync.selected();
        if (sync.deferNew() && original.number() > mb.announced()) {
            return; // about a message the client has not been told of yet; it gets the flags when it fetches them
        }
        FetchResponse parsed = FetchResponse.parse(original);
        // The backend's own number for a mailbox whose mod-sequences are ours is dropped; ours is added below.
        Frame frame = parsed != null && parsed.hasModSeq() && mb.modSeq()
                ? Frames.decode(ImapDecoder.Side.RESPONSES, FetchResponse.withoutModSeq(original.raw()))
                        .get(0)
                : original;
        FetchResponse f = frame == original ? parsed : FetchResponse.parse(frame);
        boolean qresync = sync.enabled().qresync();
        if (f == null || !mb.modSeq() || f.hasModSeq()) {
            session.write(
                    f == null
                            ? frame.raw()
                            : FetchEcho.withUidAfterQresync(frame.raw(), f, mb.uidOf(f.seq()), qresync));
            return;
        }
        long uid = f.uid() > 0 ? f.uid() : mb.uidOf(f.seq());
        if (f.uid() > 0 && mb.uidOf(f.seq()) == 0) {
            mb.learn(f.seq(), f.uid());
        }
        if (uid <= 0) {
            session.write(frame.raw()); // a message the view cannot name (only after a failed listing)
            return;
        }
        // A message the store lacks is stored again, even one another session expunged while this one still sees it:
        // the store may lack it for a moment without it being gone (a racing listing), and a change must never be
        // lost; a message that is really gone is expunged again when this session's backend reports it.
        boolean changed = f.flags() != null
                && mb.snapshot().get(uid).map(m -> !m.flags().equals(f.flags())).orElse(true);
        // A client's own STORE is always checked against the store, not only this session's snapshot, which may be
        // stale (another instance changed the flags meanwhile). The store gives a new mod-sequence only when the flags
        // really change: "setting a flag that is already set ... SHOULD NOT change the mod-sequence" (RFC 7162 3.1), as
        // native servers do; a conditional STORE was already given its new mod-sequence by reserve (3.1.3).
        if (!changed && !(sync.running().echo().ownStore(uid) && f.flags() != null)) {
            write(FetchEcho.line(
                    frame.raw(),
                    f,
                    uid,
                    mb.modSeqOf(uid),
                    sync.running().echo(),
                    sync.enabled().condstore(),
                    qresync));
            return;
        }
        // Flags changed (by this command, another session, or directly on the backend): new mod-sequence first. The
        // report may be older than a change another instance recorded after this command left (a push or a STORE
        // answer delayed on its way): it never reverts that change (ChangeSet.observed), see settleReport.
        Echo now = sync.running().echo();
        Flags known = mb.snapshot().get(uid).map(MessageState::flags).orElse(null);
        session.backend().pauseInput();
        sync.applyNow(mb, ChangeSet.observed(uid, f.flags(), sync.running().sentAtModSeq()))
                .compose(r -> settleReport(mb, r, uid, f.flags(), now, known))
                .onComplete(ar -> {
                    Told told = ar.succeeded() ? ar.result() : new Told(f.flags(), 0);
                    Buffer raw = told.flags().equals(f.flags())
                            ? frame.raw()
                            : FetchResponse.withFlags(frame.raw(), told.flags());
                    write(FetchEcho.line(
                            raw,
                            f,
                            uid,
                            told.modSeq(),
                            now,
                            sync.enabled().condstore(),
                            sync.enabled().qresync()));
                    session.backend().resumeInput();
                });
    }

    /** What the client is told of a message after the store took a backend report: its flags and mod-sequence. */
    record Told(Flags flags, long modSeq) {}

    /**
     * The store kept a later change than the report: the client is told that later state, with its own mod-sequence
     * (one mod-sequence, one state). For the client's own STORE the later state is the one its STORE met in the
     * backend or will meet, so the STORE is applied to it (RFC 9051 6.4.6), and a real change gets a new mod-sequence
     * above every one the session saw ("the mod-sequence of the second completed operation MUST be greater", RFC 7162
     * 3.1). When the later state already holds the STORE's effect, the STORE changed what this session {@code known}
     * (the later change absorbed it): it is re-stamped, since STOREs "from different connections will get a different
     * mod-sequence value" (RFC 7162 3.1); a STORE that changed nothing keeps the mod-sequence, as a native server's does.
     */
    private Future<Told> settleReport(
            SelectedMailbox mb, SyncResult r, long uid, Flags reported, Echo echo, Flags known) {
        Optional<MessageState> stored = r.snapshot().get(uid);
        if (stored.isPresent()
                && stored.get().flags().equals(reported)
                && !r.changedAnything()
                && echo.ownStore(uid)
                && known != null
                && !known.equals(reported)) {
            // The client's own STORE changed the message, but another writer recorded the new state first, perhaps in
            // one batch with other messages (a listing): "each STORE command ... (including simultaneous stores ...
            // from different connections) will get a different mod-sequence value" (RFC 7162 3.1), so it is
            // re-stamped with a mod-sequence of its own.
            return stamp(mb, uid, reported, true);
        }
        if (stored.isEmpty() || stored.get().flags().equals(reported)) {
            return Future.succeededFuture(new Told(reported, FetchEcho.modSeqFor(r, uid, reported)));
        }
        MessageState later = stored.get();
        if (!echo.ownStore(uid) || echo.change() == null) {
            return Future.succeededFuture(new Told(later.flags(), later.modSeq()));
        }
        Flags merged = echo.change().applyTo(later.flags());
        boolean absorbed = merged.equals(later.flags());
        if (absorbed && known != null && echo.change().applyTo(known).equals(known)) {
            return Future.succeededFuture(new Told(merged, later.modSeq()));
        }
        return stamp(mb, uid, merged, absorbed);
    }

    /** Records {@code flags} for the message, with a new mod-sequence even if they are stored already when forced. */
    private Future<Told> stamp(SelectedMailbox mb, long uid, Flags flags, boolean forceNewModSeq) {
        ChangeSet stamp =
                new ChangeSet(Map.of(uid, flags), UidSet.empty(), forceNewModSeq ? UidSet.of(uid) : UidSet.empty());
        return sync.applyNow(mb, stamp).map(again -> new Told(flags, FetchEcho.modSeqFor(again, uid, flags)));
    }

    private void write(Buffer line) {
        if (line != null) {
            session.write(line);
        }
    }

    /** A FETCH whose literal is streamed: MODSEQ is added to its head when known (the flags are not re-diffed). */
    void streamStart(Frame head) {
        FetchResponse f = FetchResponse.parse(head);
        SelectedMailbox mb = sync.selected();
        long uid = f == null || mb == null ? 0 : f.uid() > 0 ? f.uid() : mb.uidOf(f.seq());
        if (f != null && mb != null && mb.modSeq() && sync.enabled().condstore() && !f.hasModSeq() && uid > 0) {
            session.write(FetchResponse.withUidAndModSeq(
                    head.raw(), sync.enabled().qresync() && f.uid() <= 0 ? uid : -1, mb.modSeqOf(uid)));
            return;
        }
        session.write(
                f == null
                        ? head.raw()
                        : FetchEcho.withUidAfterQresync(
                                head.raw(), f, uid, sync.enabled().qresync()));
    }

    /** The first line of a SELECT answer (RFC 9051 6.3.2, 7.3) or the backend's own [CLOSED] (RFC 7162 3.2.11). */
    private static boolean startsSelectAnswer(Frame frame) {
        String kw = frame.keyword();
        if ("FLAGS".equals(kw) || "EXISTS".equals(kw) || "RECENT".equals(kw) || "LIST".equals(kw)) {
            return true;
        }
        return "OK".equals(kw)
                && frame.code()
                        .map(c -> switch (c.name()) {
                            case "CLOSED",
                                    "UIDVALIDITY",
                                    "UIDNEXT",
                                    "PERMANENTFLAGS",
                                    "UNSEEN",
                                    "HIGHESTMODSEQ",
                                    "NOMODSEQ",
                                    "READ-ONLY",
                                    "READ-WRITE",
                                    "MAILBOXID" -> true;
                            default -> false;
                        })
                        .orElse(false);
    }

    private static boolean isCode(Frame frame, String code) {
        return "OK".equals(frame.keyword())
                && frame.code().map(c -> c.name().equals(code)).orElse(false);
    }
}

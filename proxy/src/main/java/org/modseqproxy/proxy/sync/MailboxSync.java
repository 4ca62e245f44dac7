package org.modseqproxy.proxy.sync;

import io.vertx.core.Future;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.metrics.ProxyMetrics;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.config.ProxyConfig;
import org.modseqproxy.state.ChangeSet;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.Reservation;
import org.modseqproxy.state.SyncResult;
import org.modseqproxy.state.UidSet;

/**
 * The sync funnel (STYLE practice 5, after Dovecot's imap-sync.c): the only code that turns what the backend says
 * into mod-sequences and writes HIGHESTMODSEQ, VANISHED, MODSEQ and CLOSED to the client, and the tagged completions
 * that must follow them. Commands parse, decide and forward with an {@link Echo}; they finish through
 * {@link #finish}. One per client session, on its event loop, so no locks. Its parts: {@link EnableState} (what is
 * enabled), {@link BackendListing} (learning UIDs and flags), {@link StoreCalls} (the store on this event loop),
 * {@link FetchEcho} (what a FETCH line becomes), {@link ExpungeBatch} (EXPUNGE to VANISHED and the store's log).
 */
public final class MailboxSync {
    private final ClientPort session;
    private final StatePolicy policy;
    private final ProxyMetrics metrics;
    private final StoreCalls store;
    private final EnableState enabled = new EnableState();
    private final BackendListing listing;
    private final BackendResponses responses;
    private final ExpungeBatch expunges = new ExpungeBatch();
    private SelectedMailbox selected;
    private final StoreWrites writes;
    private final FunnelLines lines;
    /** Set by the first CONDSTORE enabling command while a mailbox is selected; paid before the command's answer. */
    private boolean highestModSeqOwed;
    /** What the running command handed the funnel (replaced, never edited). */
    private Running running = Running.IDLE;
    /** A SELECT is on its way: the previous mailbox stays selected until the backend's answer begins. */
    private boolean closePending;

    public MailboxSync(ClientPort session, StatePolicy policy, ProxyMetrics metrics) {
        this.session = session;
        this.policy = policy;
        this.metrics = metrics;
        this.store = new StoreCalls(policy.store(), metrics);
        this.writes = new StoreWrites(store, () -> selected);
        boolean exclusive = policy.mode() == ProxyConfig.Consistency.EXCLUSIVE;
        this.listing = new BackendListing(
                session, store, metrics, exclusive, policy.recentListings(), this::untagged, this::applyNow);
        this.responses = new BackendResponses(session, this);
        this.lines = new FunnelLines(session, metrics, expunges, () -> selected);
    }

    /** The lines only the funnel writes: HIGHESTMODSEQ, NOMODSEQ, VANISHED, QRESYNC's FETCH, SEARCH/STATUS MODSEQ. */
    public FunnelLines lines() {
        return lines;
    }

    // ---- what the session enabled (RFC 5161, RFC 7162 3.1 and 3.2.3) --------------------------------------------

    /** RFC 5161 / RFC 7162 3.2.3: returns the names newly enabled (QRESYNC implies CONDSTORE). */
    public List<String> enable(Set<String> names) {
        boolean before = enabled.condstore();
        List<String> newly = enabled.enable(names);
        if (!before && enabled.condstore()) {
            metrics.enabled(MeterNames.EXTENSION_CONDSTORE);
            oweHighestModSeq();
        }
        if (newly.contains("QRESYNC")) {
            metrics.enabled(MeterNames.EXTENSION_QRESYNC);
        }
        return newly;
    }

    /** RFC 7162 3.1: a CONDSTORE enabling command (SELECT (CONDSTORE), FETCH MODSEQ, ...) turns CONDSTORE on. */
    public void enableCondstore() {
        if (enabled.enableCondstore()) {
            metrics.enabled(MeterNames.EXTENSION_CONDSTORE);
            oweHighestModSeq();
        }
    }

    /**
     * RFC 7162 3.1: "A first CONDSTORE enabling command executed in the session with a mailbox selected MUST cause the
     * server to return HIGHESTMODSEQ for the mailbox", unless NOMODSEQ was said at SELECT (Example 4).
     */
    private void oweHighestModSeq() {
        if (selected != null && !selected.nativeModSeq() && !selected.saidNoModSeq()) {
            highestModSeqOwed = true;
        }
    }

    private void payHighestModSeq() {
        if (highestModSeqOwed && modSeqActive() && selected.snapshot() != null) {
            highestModSeqOwed = false;
            lines.highestModSeq(selected.snapshot().highestModSeq());
        }
    }

    /** Enables on a backend with its own CONDSTORE/QRESYNC what the client enabled here (see EnableState). */
    public Future<Void> enableOnBackend() {
        return enabled.enableOnBackend(session.backend());
    }

    /** What the session and its backend have enabled. */
    public EnableState enabled() {
        return enabled;
    }

    // ---- the selected mailbox ---------------------------------------------------------------------------------

    public SelectedMailbox selected() {
        return selected;
    }

    public StatePolicy policy() {
        return policy;
    }

    /** The store, timed and on this session's event loop. */
    public StoreCalls store() {
        return store;
    }

    public MailboxId idFor(String mailbox) {
        return new MailboxId(policy.backendId(), session.user(), mailbox);
    }

    public void select(SelectedMailbox mailbox) {
        this.selected = mailbox;
        highestModSeqOwed = false; // SELECT/EXAMINE says HIGHESTMODSEQ or NOMODSEQ itself
        session.mailboxSelected(mailbox == null ? null : mailbox.name());
    }

    /** The selected mailbox has the backend's own mod-sequences: commands go through untouched. */
    public boolean nativeSelected() {
        return selected != null && selected.nativeModSeq();
    }

    /** True when the selected mailbox has mod-sequences now (else NOMODSEQ rules apply, RFC 7162 3.1.2.2). */
    public boolean modSeqActive() {
        return selected != null && selected.modSeq() && store.available();
    }

    /** QRESYNC with our mod-sequences: new messages wait for their UIDs before the client hears of them. */
    boolean deferNew() {
        return enabled.qresync() && selected != null && selected.modSeq() && !selected.nativeModSeq();
    }

    /** Lists the mailbox on the backend and syncs the store with it (see {@link BackendListing#resync}). */
    public Future<SyncResult> resync(SelectedMailbox mailbox, long exists, long uidNext) {
        return listing.resync(mailbox, exists, uidNext);
    }

    /** UIDs of messages flagged \Deleted (what CLOSE will expunge silently), via an internal UID SEARCH. */
    public Future<UidSet> deletedUids() {
        return listing.deletedUids();
    }

    /** Before a command in the selected state: messages announced by EXISTS get UIDs, flags and a mod-sequence. */
    public Future<Void> beforeCommand() {
        return selected == null ? Future.succeededFuture() : listing.learnNew(selected);
    }

    /** Re-reads the selected mailbox's state from the store (see {@link StoreWrites#refresh}). */
    public Future<Void> refresh() {
        return writes.refresh();
    }

    /** Conditional STORE check and hold in one atomic store step (RFC 7162 3.1.3); fails when the store cannot answer. */
    public Future<Reservation> reserve(SelectedMailbox mb, UidSet uids, long unchangedSince) {
        return writes.reserve(mb, uids, unchangedSince, policy.storeHold());
    }

    /** Ends a conditional STORE's reservation (see {@link StoreWrites#release}); never fails. */
    public Future<Void> release(SelectedMailbox mb, Reservation r, boolean stamp) {
        return writes.release(mb, r, stamp);
    }

    /** Applies changes to the store, updates the view's snapshot; a tagged answer waits for it. */
    public Future<SyncResult> applyNow(SelectedMailbox mb, ChangeSet changes) {
        return writes.apply(mb, changes);
    }

    /**
     * A CONDSTORE enabling command in a mailbox selected without mod-sequences (RFC 7162 3.1): list it now. Fails
     * with false when the mailbox has none (NOMODSEQ was said, state off, store down).
     */
    public Future<Boolean> ensureModSeq() {
        SelectedMailbox mb = selected;
        if (mb == null) {
            return Future.succeededFuture(false);
        }
        if (mb.modSeq()) {
            payHighestModSeq();
            return Future.succeededFuture(store.available());
        }
        if (mb.saidNoModSeq() || mb.uidValidity() <= 0 || !policy.modSeqFor(mb.name())) {
            return Future.succeededFuture(false);
        }
        return resync(mb, mb.size(), 0)
                .map(r -> {
                    payHighestModSeq();
                    return true;
                })
                .recover(err -> Future.succeededFuture(false));
    }

    // ---- what a command hands the funnel before it forwards ----------------------------------------------------

    /** The FETCH lines of the command about to be forwarded are echoed as {@code echo} says. */
    public void expect(Echo echo) {
        running = running.withEcho(echo);
    }

    public void hook(Predicate<Frame> hook) {
        running = running.withHook(hook);
    }

    public void opening(Opening o) {
        running = running.withOpening(o);
    }

    /**
     * A command (or IDLE) goes to the backend now: what the backend reports during it is at least as new as what this
     * session knows now, and possibly older than what another instance records meanwhile ({@link
     * org.modseqproxy.state.ChangeSet#observed}).
     */
    public void commandSent() {
        SelectedMailbox mb = selected;
        running = running.sentAt(
                mb == null || mb.snapshot() == null ? 0 : mb.snapshot().highestModSeq());
    }

    // (what BackendResponses reads)

    Running running() {
        return running;
    }

    boolean closePending() {
        return closePending;
    }

    ExpungeBatch expunges() {
        return expunges;
    }

    ListingEvents listingEvents() {
        return listing.events();
    }

    // ---- the funnel: every untagged response from the backend reaches the client through BackendResponses --------

    public void untagged(Frame frame) {
        responses.untagged(frame);
    }

    /** A FETCH whose literal is streamed: MODSEQ is added to its head when known (the flags are not re-diffed). */
    public void streamStart(Frame head, long size) {
        responses.streamStart(head);
    }

    public void streamContinued(Frame frame) {
        session.write(frame.raw());
    }

    /** Tells the client of new messages once their UIDs are known (see {@link BackendListing#announceNew}). */
    public Future<Void> announceNew() {
        return listing.announceNew(() -> selected);
    }

    // ---- ending a command ---------------------------------------------------------------------------------------

    /**
     * Ends a command: expunges seen during it go to the store as one batch, every store write of the session is
     * waited for, then the tagged answer (the backend's, relayed under the client's tag) is written. Thus VANISHED
     * and MODSEQ always precede the tagged OK (DESIGN, "Lessons from clients").
     */
    public Future<Void> finish(String tag, Frame tagged) {
        return settle().map(v -> {
            endCommand();
            session.relayTagged(tag, tagged);
            return null;
        });
    }

    /** Like {@link #finish(String, Frame)} with a line of the proxy's own ("OK [MODIFIED 7] ..."). */
    public Future<Void> finish(String tag, String statusAndText) {
        return settle().map(v -> {
            endCommand();
            session.tagged(tag, statusAndText);
            return null;
        });
    }

    /**
     * Ends EXPUNGE, UID EXPUNGE or MOVE: "If at least one message got expunged and QRESYNC was enabled, the server MUST
     * send the updated per-mailbox modification sequence using the HIGHESTMODSEQ response code in the tagged OK"
     * (RFC 7162 3.2.7; RFC 6851 section 4.4 allows the tagged or an untagged OK for MOVE). When the backend's OK
     * already carries a code, the HIGHESTMODSEQ goes in an untagged OK just before it.
     */
    public Future<Void> finishExpunging(String tag, Frame tagged) {
        boolean expunging = expunges.any();
        return settle().map(v -> {
            endCommand();
            long hms = expunging && enabled.qresync() && modSeqActive() ? selected.highestModSeq() : 0;
            String own = ModSeqAnswers.expungingOk(tagged, hms);
            if (own != null) {
                session.tagged(tag, own);
            } else {
                if (hms > 0 && "OK".equals(tagged.keyword())) {
                    lines.highestModSeq(hms); // the backend's OK has a code of its own: an untagged OK just before it
                }
                session.relayTagged(tag, tagged);
            }
            return null;
        });
    }

    private void endCommand() {
        running = running.ended();
    }

    /** Flushes pending expunges to the store and waits for every store write of this session. */
    public Future<Void> settle() {
        lines.flushVanished();
        logExpunges();
        payHighestModSeq(); // ENABLE CONDSTORE / STATUS (HIGHESTMODSEQ) with a mailbox selected
        Future<Void> announced =
                deferNew() ? announceNew().recover(err -> Future.<Void>succeededFuture()) : Future.succeededFuture();
        return announced.compose(v -> writes.settled());
    }

    /** The command's expunges go to the store's log as one batch (or are dropped when the mailbox has no state). */
    private void logExpunges() {
        UidSet gone = expunges.takeExpunged();
        if (gone != null && selected != null && selected.modSeq()) {
            applyNow(selected, ChangeSet.expunge(gone));
        }
    }

    // ---- leaving a mailbox (RFC 7162 3.2.11) -----------------------------------------------------------------

    /**
     * A SELECT/EXAMINE is on its way to the backend: the previous mailbox stays selected until the backend's answer
     * begins, so that its last unsolicited FETCH/EXPUNGE (sent by the backend before it read the SELECT) are still
     * rewritten against its view and reach the client before "* OK [CLOSED]", which separates the two mailboxes'
     * responses (RFC 7162 3.2.11). Before this, such lines went out raw after CLOSED and clients applied them to the
     * new mailbox (imaptest: "UID changed for sequence", "FETCH didn't return UID").
     */
    public void closePrevious() {
        closePending = true;
    }

    public void closedPreviousIfPending() {
        if (closePending) {
            closedPrevious();
        }
    }

    /** Sends "* OK [CLOSED]" when a mailbox was selected (RFC 7162 3.2.11). */
    void closedPrevious() {
        closePending = false;
        logExpunges(); // the old mailbox's last expunges are its own
        lines.flushVanished();
        // RFC 7162 3.2.11: a server that advertises CONDSTORE or QRESYNC (the proxy always does) MUST say CLOSED here,
        // "whether or not a CONDSTORE enabling command was issued". The backend's own [CLOSED] is dropped by the
        // funnel.
        if (selected != null) {
            session.writeLine("* OK [CLOSED] Previous mailbox closed");
        }
        selected = null;
    }

    public void unselect() {
        if (closePending) {
            closedPrevious(); // a SELECT the backend refused still closed the previous mailbox (RFC 9051 6.3.2)
        }
        expunges.takeExpunged();
        select(null);
    }
}

package org.modseqproxy.proxy.sync;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.function.Supplier;
import org.modseqproxy.state.ChangeSet;
import org.modseqproxy.state.Reservation;
import org.modseqproxy.state.SyncResult;
import org.modseqproxy.state.UidSet;

/**
 * The session's writes to the state store, in order, and the selected view's snapshot that follows them. A tagged
 * answer waits for {@link #settled()}: the state is durable before the client hears OK (DESIGN, "Lessons from
 * clients"); a failed write never blocks it (the client just loses MODSEQ).
 */
final class StoreWrites {
    private final StoreCalls store;
    private final Supplier<SelectedMailbox> selected;
    private Future<Void> writes = Future.succeededFuture();

    StoreWrites(StoreCalls store, Supplier<SelectedMailbox> selected) {
        this.store = store;
        this.selected = selected;
    }

    /** Applies changes and, if the mailbox is still selected, takes the store's new snapshot as the view's. */
    Future<SyncResult> apply(SelectedMailbox mb, ChangeSet changes) {
        Future<SyncResult> f = store.apply(mb.id(), mb.uidValidity(), changes).map(r -> {
            if (mb == selected.get()) {
                mb.snapshot(r.snapshot());
            }
            return r;
        });
        writes = writes.compose(v -> f.<Void>mapEmpty(), err -> f.<Void>mapEmpty())
                .recover(err -> Future.<Void>succeededFuture());
        return f;
    }

    /** RFC 7162 3.1.3: the UNCHANGEDSINCE check and the hold in one atomic store step (ModSeqStore#reserve). */
    Future<Reservation> reserve(SelectedMailbox mb, UidSet uids, long unchangedSince, Duration hold) {
        return store.reserve(mb.id(), mb.uidValidity(), uids, unchangedSince, hold);
    }

    /**
     * Ends a reservation once the backend has answered ({@code stamp} false: its reports are applied, each change
     * with its own mod-sequence) or failed ({@code stamp} true, see ModSeqStore#release). After the session's other
     * writes, so the reports are stored before racing STOREs may pass. Never fails: a hold left behind lapses.
     */
    Future<Void> release(SelectedMailbox mb, Reservation r, boolean stamp) {
        if (r.held().isEmpty()) {
            return Future.succeededFuture();
        }
        Future<Void> f = writes.compose(v -> store.release(mb.id(), mb.uidValidity(), r, stamp))
                .<Void>mapEmpty()
                .recover(err -> Future.succeededFuture());
        writes = f;
        return f;
    }

    /**
     * Re-reads the selected mailbox's state (one cheap check when the near-cache is current), so a decision such as
     * UNCHANGEDSINCE sees changes made through other sessions and proxy instances. Never moves the view backwards.
     */
    Future<Void> refresh() {
        SelectedMailbox mb = selected.get();
        if (mb == null || !mb.modSeq()) {
            return Future.succeededFuture();
        }
        return store.load(mb.id(), mb.uidValidity())
                .map(snap -> {
                    snap.filter(x -> x.highestModSeq() >= mb.highestModSeq() && mb == selected.get())
                            .ifPresent(mb::snapshot);
                    return (Void) null;
                })
                .recover(err -> Future.succeededFuture());
    }

    /** Completes when every write issued so far has ended, successfully or not. */
    Future<Void> settled() {
        return writes;
    }
}

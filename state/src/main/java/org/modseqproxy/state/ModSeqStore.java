package org.modseqproxy.state;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Keeps synthetic mod-sequences, flags and an expunge log per mailbox (see DESIGN.md "The mod-sequence model").
 * All calls are non-blocking; futures may complete on a store-owned thread (e.g. a Lettuce I/O thread), so
 * callers hop back to their own context. Failures complete the stage exceptionally with
 * {@link StoreUnavailableException} when the store cannot be reached.
 */
public interface ModSeqStore extends AutoCloseable {

    /** Diff the listing against stored state and apply it atomically; state for another UIDVALIDITY is dropped first. */
    CompletionStage<SyncResult> sync(MailboxId id, Listing listing);

    /**
     * Apply witnessed changes atomically (one new modseq for the whole batch if anything changed). State for another
     * UIDVALIDITY is dropped first, as in sync.
     */
    CompletionStage<SyncResult> apply(MailboxId id, long uidValidity, ChangeSet changes);

    /** Stored snapshot without changing anything; empty if none or UIDVALIDITY differs. */
    CompletionStage<Optional<MailboxSnapshot>> load(MailboxId id, long uidValidity);

    /** UIDs expunged with a modseq above {@code modSeq}, or BelowHorizon (RFC 7162 3.2.5.2). */
    CompletionStage<Vanished> vanishedSince(MailboxId id, long uidValidity, long modSeq);

    /**
     * Conditional STORE (RFC 7162 3.1.3), atomic across sessions and proxy instances: the stored uids of {@code uids}
     * whose mod-sequence is above {@code unchangedSince}, or which another reservation still holds, come back as
     * modified; the others are held for this STORE, before it goes to the backend, so a racing conditional STORE
     * anywhere fails for them until {@link #release}. Holding changes no mod-sequence: the STORE's effect gets one when
     * the backend reports it ({@link #apply}), and a STORE that changes nothing gets none (RFC 7162 3.1: it "SHOULD NOT
     * change the mod-sequence"). A hold not released within {@code hold} (its proxy died) lapses. Uids the store does
     * not hold are in neither set.
     */
    CompletionStage<Reservation> reserve(
            MailboxId id, long uidValidity, UidSet uids, long unchangedSince, Duration hold);

    /**
     * Ends a reservation's holds. {@code stamp} when the STORE's outcome is unknown (the backend failed or did not
     * answer): the held messages still stored then get one new mod-sequence, flags unchanged, so a racing conditional
     * STORE fails for any message this one may have changed (RFC 7162 3.1.3). Returns that mod-sequence, or 0.
     */
    CompletionStage<Long> release(MailboxId id, long uidValidity, Reservation reservation, boolean stamp);

    /**
     * Current HIGHESTMODSEQ, creating the counter (at the clock, see ModSeqClock) if absent or if the stored state belongs
     * to another UIDVALIDITY. Never 0.
     */
    CompletionStage<Long> highestModSeq(MailboxId id, long uidValidity);

    /** Bump HIGHESTMODSEQ (e.g. STATUS saw UIDNEXT/MESSAGES move without a listing); returns the new value. */
    CompletionStage<Long> bump(MailboxId id, long uidValidity);

    /**
     * The mailbox was renamed on the backend. Both names' state is DROPPED (not moved): the next SELECT of either
     * name starts fresh above every earlier modseq, so clients do a fuller resync, never a wrong one. Inferior
     * mailboxes (RFC 3501 6.3.5) are the caller's business: call rename for each.
     */
    CompletionStage<Void> rename(MailboxId from, MailboxId to);

    /**
     * A full listing of the mailbox (this UIDVALIDITY) was just synced: {@link #listedWithin} answers true for it, to
     * every proxy instance sharing this store, until the window it asks about has passed (state.listingReuse). A store
     * that keeps no such record ignores it.
     */
    default CompletionStage<Void> markListed(MailboxId id, long uidValidity) {
        return CompletableFuture.completedFuture(null);
    }

    /** Whether {@link #markListed} was called for the mailbox, this UIDVALIDITY, less than {@code window} ago. */
    default CompletionStage<Boolean> listedWithin(MailboxId id, long uidValidity, Duration window) {
        return listingAge(id, uidValidity)
                .thenApply(age -> age.isPresent() && age.get().compareTo(window) < 0);
    }

    /**
     * How long ago {@link #markListed} was last called for the mailbox, this UIDVALIDITY (by any instance sharing the
     * store); empty when never, or not for this UIDVALIDITY. With the age a caller can remember the listing for the
     * rest of its window instead of asking on every SELECT.
     */
    default CompletionStage<Optional<Duration>> listingAge(MailboxId id, long uidValidity) {
        return CompletableFuture.completedFuture(Optional.empty());
    }

    /** The mailbox was deleted: drop its state. */
    CompletionStage<Void> delete(MailboxId id);

    /** true when the store can currently be used (circuit closed or ready for a trial call). */
    boolean available();

    @Override
    void close();
}

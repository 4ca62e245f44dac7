package org.modseqproxy.state.impl;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.modseqproxy.state.ChangeSet;
import org.modseqproxy.state.Listing;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.MailboxSnapshot;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.Reservation;
import org.modseqproxy.state.StoreUnavailableException;
import org.modseqproxy.state.SyncResult;
import org.modseqproxy.state.UidSet;
import org.modseqproxy.state.Vanished;

/** State "off": never available, every call fails, so the proxy answers NOMODSEQ (RFC 7162 3.1.2.2). */
public final class DisabledModSeqStore implements ModSeqStore {

    private static <T> CompletionStage<T> off() {
        return CompletableFuture.failedFuture(new StoreUnavailableException("mod-sequence state is off"));
    }

    @Override
    public CompletionStage<SyncResult> sync(MailboxId id, Listing listing) {
        return off();
    }

    @Override
    public CompletionStage<SyncResult> apply(MailboxId id, long uidValidity, ChangeSet changes) {
        return off();
    }

    @Override
    public CompletionStage<Optional<MailboxSnapshot>> load(MailboxId id, long uidValidity) {
        return off();
    }

    @Override
    public CompletionStage<Vanished> vanishedSince(MailboxId id, long uidValidity, long modSeq) {
        return off();
    }

    @Override
    public CompletionStage<Reservation> reserve(
            MailboxId id, long uidValidity, UidSet uids, long unchangedSince, Duration hold) {
        return off();
    }

    @Override
    public CompletionStage<Long> release(MailboxId id, long uidValidity, Reservation reservation, boolean stamp) {
        return off();
    }

    @Override
    public CompletionStage<Long> highestModSeq(MailboxId id, long uidValidity) {
        return off();
    }

    @Override
    public CompletionStage<Long> bump(MailboxId id, long uidValidity) {
        return off();
    }

    @Override
    public CompletionStage<Void> rename(MailboxId from, MailboxId to) {
        return off();
    }

    @Override
    public CompletionStage<Void> delete(MailboxId id) {
        return off();
    }

    @Override
    public boolean available() {
        return false;
    }

    @Override
    public void close() {}
}

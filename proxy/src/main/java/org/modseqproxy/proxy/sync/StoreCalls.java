package org.modseqproxy.proxy.sync;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.modseqproxy.metrics.ProxyMetrics;
import org.modseqproxy.state.ChangeSet;
import org.modseqproxy.state.Listing;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.MailboxSnapshot;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.Reservation;
import org.modseqproxy.state.SyncResult;
import org.modseqproxy.state.UidSet;
import org.modseqproxy.state.Vanished;

/**
 * The mod-sequence store as a session sees it: every call timed (modseq_store_duration by operation), its answer
 * delivered back on the calling session's event loop, so that the funnel and the commands stay single-threaded.
 * Lettuce completes its futures on its own threads; nothing here blocks.
 */
public final class StoreCalls {
    private final ModSeqStore store;
    private final ProxyMetrics metrics;

    public StoreCalls(ModSeqStore store, ProxyMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    /** False when state is off everywhere (no store configured). */
    public boolean configured() {
        return store != null;
    }

    /** True when a store is configured and its circuit is closed (RFC 7162 3.1.2.2 NOMODSEQ otherwise). */
    public boolean available() {
        return store != null && store.available();
    }

    public Future<Optional<MailboxSnapshot>> load(MailboxId id, long uidValidity) {
        return call("load", () -> store.load(id, uidValidity));
    }

    public Future<SyncResult> sync(MailboxId id, Listing listing) {
        return call("sync", () -> store.sync(id, listing));
    }

    public Future<SyncResult> apply(MailboxId id, long uidValidity, ChangeSet changes) {
        return call("apply", () -> store.apply(id, uidValidity, changes));
    }

    public Future<Reservation> reserve(
            MailboxId id, long uidValidity, UidSet uids, long unchangedSince, Duration hold) {
        return call("reserve", () -> store.reserve(id, uidValidity, uids, unchangedSince, hold));
    }

    public Future<Long> release(MailboxId id, long uidValidity, Reservation reservation, boolean stamp) {
        return call("release", () -> store.release(id, uidValidity, reservation, stamp));
    }

    public Future<Vanished> vanishedSince(MailboxId id, long uidValidity, long modSeq) {
        return call("vanished", () -> store.vanishedSince(id, uidValidity, modSeq));
    }

    public Future<Long> highestModSeq(MailboxId id, long uidValidity) {
        return call("highest", () -> store.highestModSeq(id, uidValidity));
    }

    public Future<Long> bump(MailboxId id, long uidValidity) {
        return call("bump", () -> store.bump(id, uidValidity));
    }

    public Future<Void> rename(MailboxId from, MailboxId to) {
        return call("rename", () -> store.rename(from, to));
    }

    public Future<Void> markListed(MailboxId id, long uidValidity) {
        return call("listed", () -> store.markListed(id, uidValidity));
    }

    public Future<Optional<Duration>> listingAge(MailboxId id, long uidValidity) {
        return call("listed", () -> store.listingAge(id, uidValidity));
    }

    public Future<Void> delete(MailboxId id) {
        return call("delete", () -> store.delete(id));
    }

    private <T> Future<T> call(String operation, Supplier<CompletionStage<T>> call) {
        if (store == null) {
            return Future.failedFuture(new IllegalStateException("state is off"));
        }
        long start = System.nanoTime();
        Context context = Vertx.currentContext();
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        Future<T> answer =
                context == null ? Future.fromCompletionStage(stage) : Future.fromCompletionStage(stage, context);
        return answer.transform(ar -> ar.succeeded()
                        ? Future.succeededFuture(ar.result())
                        : Future.<T>failedFuture(unwrap(ar.cause())))
                .andThen(ar -> metrics.storeOperation(operation, ar.succeeded(), System.nanoTime() - start));
    }

    private static Throwable unwrap(Throwable err) {
        return err instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : err;
    }
}

package org.modseqproxy.state.impl;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.modseqproxy.state.ChangeSet;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.Listing;
import org.modseqproxy.state.MailboxDiff;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.MailboxSnapshot;
import org.modseqproxy.state.MessageState;
import org.modseqproxy.state.ModSeqClock;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.Reservation;
import org.modseqproxy.state.StoreOptions;
import org.modseqproxy.state.StoreUnavailableException;
import org.modseqproxy.state.SyncResult;
import org.modseqproxy.state.UidSet;
import org.modseqproxy.state.Vanished;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mod-sequence store in Redis, shared by every proxy instance. The key layout and the scripts are described in
 * {@code common.lua}; every multi-key update is one Lua script on one hash tag, so it is atomic and runs on Redis
 * Cluster.
 *
 * <p>Why sync() diffs in Java and applies with the same script as apply(): shipping the whole listing into Lua on
 * every SELECT would cost a 100 000-element argument list even when nothing changed. Instead the Java diff (against
 * the near-cached, just-validated snapshot) sends only the differences, and the script re-checks each upsert
 * against the stored flag-set id and only expunges uids that are present. A concurrent writer can therefore only
 * make a batch smaller, never make it hand out a used modseq or lose an expunge; expunges are limited to uids below
 * the listing's UIDNEXT by {@link MailboxDiff}.
 *
 * <p>Near-cache: snapshots are kept per mailbox (Caffeine) and validated by one cheap script call reading
 * UIDVALIDITY and HIGHESTMODSEQ (every change bumps HIGHESTMODSEQ, so equal means unchanged). Our own writes
 * update the cached snapshot when the script reports that it started from the cached HIGHESTMODSEQ.
 *
 * <p>Availability: any failure opens the circuit; calls then fail at once with {@link StoreUnavailableException}
 * and a background PING closes it again when Redis answers.
 */
public final class RedisModSeqStore implements ModSeqStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisModSeqStore.class);
    private static final int PACK = 4096;
    private static final long MAX_MODSEQ = (1L << 53) - 1;

    private final RedisLink link;
    private final StoreOptions opts;
    private final CircuitBreaker breaker;
    private final Cache<MailboxId, MailboxState> nearCache; // null when disabled
    private final AtomicBoolean probeScheduled = new AtomicBoolean();
    private volatile boolean closed;
    private volatile Throwable lastFailure; // why the circuit last opened
    private final LongAdder nearCacheHits = new LongAdder();
    private final LongAdder fullLoads = new LongAdder();

    private RedisModSeqStore(RedisLink link, StoreOptions opts) {
        this.link = link;
        this.opts = opts;
        this.breaker = new CircuitBreaker(opts.circuitRetryDelay());
        this.nearCache = opts.nearCacheMaxMessages() == 0
                ? null
                : Caffeine.newBuilder()
                        .maximumWeight(opts.nearCacheMaxMessages())
                        .weigher((MailboxId id, MailboxState s) -> s.size() + 1)
                        .expireAfterAccess(Duration.ofMinutes(30))
                        .build();
    }

    /** Connects in the background; until Redis answers, {@link #available()} may be false. */
    public static RedisModSeqStore create(String spec, StoreOptions opts) {
        RedisModSeqStore store = new RedisModSeqStore(RedisLink.open(spec, opts), opts);
        store.guarded(store.link::ping);
        return store;
    }

    // ---- ModSeqStore ------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<SyncResult> sync(MailboxId id, Listing listing) {
        long uv = listing.uidValidity();
        return current(id, uv).thenCompose(snap -> {
            ChangeSet changes = MailboxDiff.compute(snap.orElse(null), listing);
            if (snap.isPresent() && changes.isEmpty()) {
                return CompletableFuture.completedFuture(
                        new SyncResult(snap.get(), UidSet.empty(), UidSet.empty(), UidSet.empty(), 0));
            }
            return runApply(id, uv, changes);
        });
    }

    @Override
    public CompletionStage<SyncResult> apply(MailboxId id, long uidValidity, ChangeSet changes) {
        return runApply(id, uidValidity, changes);
    }

    @Override
    public CompletionStage<Optional<MailboxSnapshot>> load(MailboxId id, long uidValidity) {
        return current(id, uidValidity).thenApply(o -> o.map(s -> s));
    }

    @Override
    public CompletionStage<Vanished> vanishedSince(MailboxId id, long uidValidity, long modSeq) {
        String m = Long.toString(Math.min(Math.max(modSeq, 0), MAX_MODSEQ));
        return this.<List<Object>>script(RedisScript.VANISHED, id, uidValidity, m)
                .thenApply(r -> {
                    long kind = (Long) r.get(0);
                    if (kind == 0) {
                        return new Vanished.BelowHorizon(Long.MAX_VALUE);
                    }
                    if (kind == 1) {
                        return new Vanished.BelowHorizon((Long) r.get(1));
                    }
                    UidSet.Builder b = new UidSet.Builder();
                    for (int i = 1; i < r.size(); i++) {
                        b.addAll(UidSet.parse((String) r.get(i), 0));
                    }
                    return new Vanished.Exact(b.build());
                });
    }

    @Override
    public CompletionStage<Reservation> reserve(
            MailboxId id, long uidValidity, UidSet uids, long unchangedSince, Duration hold) {
        String holder = Holds.newHolder();
        List<String> args = new ArrayList<>(4 + 2 * uids.rangeCount());
        args.add(Long.toString(ModSeqClock.peekStart()));
        args.add(Long.toString(Math.min(Math.max(unchangedSince, 0), MAX_MODSEQ)));
        args.add(holder);
        args.add(Long.toString(Math.max(1, hold.toMillis())));
        addRanges(args, uids);
        // Holding changes no message, so the near-cache stays as it is.
        return this.<List<Object>>script(RedisScript.RESERVE, id, uidValidity, args.toArray(new String[0]))
                .thenApply(r -> {
                    Reservation res = new Reservation(parseSet(r.get(0)), parseSet(r.get(1)), holder, (Long) r.get(2));
                    ModSeqClock.observe(res.highestModSeqBefore());
                    return res;
                });
    }

    @Override
    public CompletionStage<Long> release(MailboxId id, long uidValidity, Reservation reservation, boolean stamp) {
        if (reservation.held().isEmpty()) {
            return CompletableFuture.completedFuture(0L);
        }
        List<String> args = new ArrayList<>(2 + 2 * reservation.held().rangeCount());
        args.add(reservation.holder());
        args.add(stamp ? "stamp" : "free");
        addRanges(args, reservation.held());
        return this.<Long>scriptOf(
                        RedisScript.RELEASE, ScriptOutputType.INTEGER, id, uidValidity, args.toArray(new String[0]))
                .thenApply(modSeq -> {
                    if (modSeq != 0) {
                        ModSeqClock.observe(modSeq);
                        if (nearCache != null) {
                            nearCache.invalidate(id);
                        }
                    }
                    return modSeq;
                });
    }

    private static void addRanges(List<String> args, UidSet uids) {
        for (int r = 0; r < uids.rangeCount(); r++) {
            args.add(Long.toString(uids.rangeStart(r)));
            args.add(Long.toString(uids.rangeEnd(r)));
        }
    }

    @Override
    public CompletionStage<Long> highestModSeq(MailboxId id, long uidValidity) {
        return counter(id, uidValidity, false);
    }

    @Override
    public CompletionStage<Long> bump(MailboxId id, long uidValidity) {
        return counter(id, uidValidity, true).thenApply(hms -> {
            if (nearCache != null) {
                nearCache
                        .asMap()
                        .computeIfPresent(
                                id,
                                (k, s) -> s.uidValidity() == uidValidity && s.highestModSeq() == hms - 1
                                        ? s.withHighestModSeq(hms)
                                        : null);
            }
            return hms;
        });
    }

    @Override
    public CompletionStage<Void> rename(MailboxId from, MailboxId to) {
        // Dropped, not moved: the two names hash to different slots (no atomic move on Cluster), and a fresh state only
        // makes clients resync more (see ModSeqStore#rename).
        return delete(from).thenCompose(v -> delete(to));
    }

    @Override
    public CompletionStage<Void> markListed(MailboxId id, long uidValidity) {
        return this.<Long>scriptOf(RedisScript.LISTED, ScriptOutputType.INTEGER, id, uidValidity, "mark")
                .thenApply(x -> null);
    }

    @Override
    public CompletionStage<Optional<Duration>> listingAge(MailboxId id, long uidValidity) {
        return this.<Long>scriptOf(RedisScript.LISTED, ScriptOutputType.INTEGER, id, uidValidity, "ask")
                .thenApply(ms -> ms >= 0 ? Optional.of(Duration.ofMillis(ms)) : Optional.<Duration>empty());
    }

    @Override
    public CompletionStage<Void> delete(MailboxId id) {
        if (nearCache != null) {
            nearCache.invalidate(id);
        }
        return this.<Long>scriptOf(RedisScript.WIPE, ScriptOutputType.INTEGER, id, 0)
                .thenRun(() -> {
                    if (nearCache != null) {
                        nearCache.invalidate(id);
                    }
                });
    }

    @Override
    public boolean available() {
        return !closed && breaker.isClosed();
    }

    @Override
    public void close() {
        closed = true;
        link.close();
    }

    /** Snapshots served from the near-cache after a successful validation (for metrics and tests). */
    public long nearCacheHits() {
        return nearCacheHits.sum();
    }

    /** Whole-mailbox reads from Redis (cache misses, invalidations, reloads after a concurrent write). */
    public long fullLoads() {
        return fullLoads.sum();
    }

    // ---- snapshot reading ---------------------------------------------------------------------------------------

    /** The current snapshot: the near-cached one if Redis still has the same UIDVALIDITY and HIGHESTMODSEQ. */
    private CompletableFuture<Optional<MailboxState>> current(MailboxId id, long uv) {
        MailboxState cached = nearCache == null ? null : nearCache.getIfPresent(id);
        if (cached == null || cached.uidValidity() != uv) {
            return loadFull(id, uv);
        }
        return this.<List<Object>>script(RedisScript.CHECK, id, uv).thenCompose(r -> {
            if (Long.toString(uv).equals(r.get(0)) && (Long) r.get(1) == cached.highestModSeq()) {
                nearCacheHits.increment();
                return CompletableFuture.completedFuture(Optional.of(cached));
            }
            return loadFull(id, uv);
        });
    }

    private CompletableFuture<Optional<MailboxState>> loadFull(MailboxId id, long uv) {
        fullLoads.increment();
        return this.<List<Object>>script(RedisScript.LOAD, id, uv).thenApply(r -> {
            if ((Long) r.get(0) == 0) {
                if (nearCache != null) {
                    nearCache.asMap().computeIfPresent(id, (k, c) -> c.uidValidity() == uv ? null : c);
                }
                return Optional.empty();
            }
            MailboxState s = decode(uv, r);
            ModSeqClock.observe(s.highestModSeq());
            remember(id, s);
            return Optional.of(s);
        });
    }

    /** Decodes load.lua's reply (see there for the layout). */
    private static MailboxState decode(long uv, List<Object> r) {
        long hms = (Long) r.get(1);
        long horizon = (Long) r.get(2);
        long base = (Long) r.get(3);
        int nFlagSets = ((Long) r.get(4)).intValue();
        int i = 5;
        Map<Long, Flags> flagSets = new HashMap<>();
        flagSets.put(0L, Flags.EMPTY);
        for (int k = 0; k < nFlagSets; k++, i += 2) {
            flagSets.put(Long.parseLong((String) r.get(i)), Flags.parse((String) r.get(i + 1)));
        }
        List<MessageState> messages = new ArrayList<>();
        while (i < r.size()) {
            long bucket = Long.parseLong((String) r.get(i));
            int n = ((Long) r.get(i + 1)).intValue();
            i += 2;
            for (int k = 0; k < n; k += 2, i += 2) {
                long uid = (bucket << MailboxState.BUCKET_SHIFT) + Long.parseLong((String) r.get(i));
                String packed = (String) r.get(i + 1);
                int dot = packed.indexOf('.');
                long delta;
                long fid;
                if (dot >= 0) {
                    delta = Long.parseLong(packed, 0, dot, 10);
                    fid = Long.parseLong(packed, dot + 1, packed.length(), 10);
                } else {
                    long v = Long.parseLong(packed);
                    delta = v / PACK;
                    fid = v % PACK;
                }
                Flags flags = flagSets.get(fid);
                if (flags == null) {
                    throw new IllegalStateException("unknown flag set " + fid + " in Redis state");
                }
                messages.add(new MessageState(uid, base + delta, flags));
            }
        }
        return MailboxState.of(uv, hms, horizon, messages);
    }

    /** Caches a snapshot unless the cache already holds a newer one for the same UIDVALIDITY. */
    private void remember(MailboxId id, MailboxState s) {
        if (nearCache != null) {
            nearCache
                    .asMap()
                    .merge(
                            id,
                            s,
                            (old, neu) ->
                                    old.uidValidity() == neu.uidValidity() && old.highestModSeq() > neu.highestModSeq()
                                            ? old
                                            : neu);
        }
    }

    // ---- writing ------------------------------------------------------------------------------------------------

    private CompletableFuture<SyncResult> runApply(MailboxId id, long uv, ChangeSet changes) {
        List<String> args = new ArrayList<>(8 + 2 * changes.upserts().size());
        args.add(Long.toString(ModSeqClock.peekStart()));
        args.add(Integer.toString(opts.expungeLogMaxEntries()));
        args.add(Integer.toString(changes.upserts().size()));
        args.add(Long.toString(changes.observedModSeq()));
        changes.upserts().forEach((uid, flags) -> {
            args.add(Long.toString(uid));
            // "\u0001" first: a touched uid (apply.lua re-stamps it even if its flags are unchanged)
            args.add(changes.touched().contains(uid) ? "\u0001" + flags : flags.toString());
        });
        UidSet gone = changes.expunged();
        for (int r = 0; r < gone.rangeCount(); r++) {
            args.add(Long.toString(gone.rangeStart(r)));
            args.add(Long.toString(gone.rangeEnd(r)));
        }
        MailboxState before = nearCache == null ? null : nearCache.getIfPresent(id);
        return this.<List<Object>>script(RedisScript.APPLY, id, uv, args.toArray(new String[0]))
                .thenCompose(r -> {
                    long hmsBefore = (Long) r.get(0);
                    long modSeq = (Long) r.get(1);
                    boolean created = (Long) r.get(2) == 1;
                    long horizon = (Long) r.get(3);
                    UidSet added = parseSet(r.get(4));
                    UidSet changed = parseSet(r.get(5));
                    UidSet expunged = parseSet(r.get(6));
                    ModSeqClock.observe(Math.max(hmsBefore, modSeq));
                    // The state the script started from, if we know it: fresh (just created) or our cached snapshot.
                    MailboxState base = created
                            ? MailboxState.fresh(uv, hmsBefore)
                            : before != null && before.uidValidity() == uv && before.highestModSeq() == hmsBefore
                                    ? before
                                    : null;
                    if (base != null) {
                        MailboxState.Applied a = base.apply(asScriptSaw(changes, base, added), hmsBefore + 1);
                        if (a.added().equals(added)
                                && a.changed().equals(changed)
                                && a.expunged().equals(expunged)) {
                            MailboxState after = a.state().withExpungeHorizon(horizon);
                            remember(id, after);
                            return CompletableFuture.completedFuture(
                                    new SyncResult(after, added, changed, expunged, modSeq));
                        }
                        LOG.warn("near-cache of {} disagreed with Redis; reloading", id);
                    }
                    return loadFull(id, uv)
                            .thenApply(s -> new SyncResult(
                                    s.orElseGet(() -> MailboxState.fresh(uv, Math.max(hmsBefore, modSeq))),
                                    added,
                                    changed,
                                    expunged,
                                    modSeq));
                });
    }

    /**
     * The changes as the script applied them, for the near-cache: only the script reads the expunge log, so an
     * observed report of a message the cache lacks and the script did not add is one it dropped as expunged (see
     * {@link ChangeSet}).
     */
    private static ChangeSet asScriptSaw(ChangeSet changes, MailboxState base, UidSet added) {
        if (changes.observedModSeq() == 0) {
            return changes;
        }
        return changes.withoutUpserts(uid -> base.get(uid).isEmpty() && !added.contains(uid));
    }

    private static UidSet parseSet(Object s) {
        String str = (String) s;
        return str == null || str.isEmpty() ? UidSet.empty() : UidSet.parse(str, 0);
    }

    private CompletableFuture<Long> counter(MailboxId id, long uv, boolean bump) {
        return this.<Long>scriptOf(
                        RedisScript.COUNTER,
                        ScriptOutputType.INTEGER,
                        id,
                        uv,
                        Long.toString(ModSeqClock.peekStart()),
                        bump ? "1" : "0")
                .thenApply(hms -> {
                    ModSeqClock.observe(hms);
                    return hms;
                });
    }

    // ---- script plumbing and circuit breaker ------------------------------------------------------------------

    private <T> CompletableFuture<T> script(RedisScript s, MailboxId id, long uv, String... extra) {
        return scriptOf(s, ScriptOutputType.MULTI, id, uv, extra);
    }

    private <T> CompletableFuture<T> scriptOf(
            RedisScript s, ScriptOutputType type, MailboxId id, long uv, String... extra) {
        String p = opts.keyPrefix() + ":{" + id.tag() + "}:";
        String[] keys = {p + "m", p + "f", p + "k", p + "x"};
        String[] args = new String[3 + extra.length];
        args[0] = p + "b:";
        args[1] = Long.toString(uv);
        args[2] = Long.toString(opts.idleMailboxTtl().toMillis());
        System.arraycopy(extra, 0, args, 3, extra.length);
        return guarded(() -> link.eval(s, type, keys, args));
    }

    /** Runs a Redis call through the circuit breaker; every failure becomes a StoreUnavailableException. */
    private <T> CompletableFuture<T> guarded(Supplier<CompletableFuture<T>> call) {
        if (closed) {
            return CompletableFuture.failedFuture(new StoreUnavailableException("store closed"));
        }
        if (!breaker.tryAcquire()) {
            scheduleProbe();
            // say why it opened (WRONGPASS, a certificate problem, connection refused...): callers and logs see it
            Throwable why = lastFailure;
            return CompletableFuture.failedFuture(
                    why == null
                            ? new StoreUnavailableException("Redis unavailable (circuit open)")
                            : new StoreUnavailableException(
                                    "Redis unavailable (circuit open) after: " + describe(why), why));
        }
        CompletableFuture<T> f;
        try {
            f = call.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.handle((v, e) -> {
            if (e == null) {
                breaker.success();
                return v;
            }
            Throwable cause = RedisLink.unwrap(e);
            lastFailure =
                    cause instanceof StoreUnavailableException su && su.getCause() != null ? su.getCause() : cause;
            if (breaker.isClosed()) {
                LOG.warn("Redis call failed, opening circuit: {}", cause.toString(), cause);
            }
            breaker.failure();
            scheduleProbe();
            throw new CompletionException(
                    cause instanceof StoreUnavailableException su
                            ? su
                            : new StoreUnavailableException("Redis call failed: " + cause, cause));
        });
    }

    /** The failure and, when it wraps one, its root cause: "Unable to connect ...: NOAUTH ...". */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e + ": " + root.getMessage();
    }

    /** While the circuit is open, PING every retry delay; a reply closes it (available() turns true). */
    private void scheduleProbe() {
        if (closed || !probeScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            link.resources()
                    .eventExecutorGroup()
                    .schedule(
                            () -> {
                                probeScheduled.set(false);
                                if (closed || breaker.isClosed()) {
                                    return;
                                }
                                link.ping().whenComplete((pong, e) -> {
                                    if (e == null) {
                                        LOG.info("Redis answers again, closing circuit");
                                        breaker.success();
                                    } else {
                                        lastFailure = RedisLink.unwrap(e);
                                        breaker.failure();
                                        scheduleProbe();
                                    }
                                });
                            },
                            opts.circuitRetryDelay().toMillis(),
                            TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            probeScheduled.set(false); // executor shut down
        }
    }
}

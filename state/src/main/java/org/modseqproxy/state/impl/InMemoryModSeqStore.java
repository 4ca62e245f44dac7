package org.modseqproxy.state.impl;

import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
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
import org.modseqproxy.state.SyncResult;
import org.modseqproxy.state.UidSet;
import org.modseqproxy.state.Vanished;

/**
 * Mod-sequence store in this JVM's heap, for a single proxy instance (or tests). State is lost on restart; fresh
 * counters then start at the clock ({@link ModSeqClock}), above anything handed out before (DESIGN.md). All futures are
 * already complete when returned; work is done under a per-mailbox lock and is short.
 */
public final class InMemoryModSeqStore implements ModSeqStore {

    private final StoreOptions opts;
    private final ConcurrentMap<MailboxId, Entry> mailboxes;

    public InMemoryModSeqStore(StoreOptions opts) {
        this.opts = opts;
        this.mailboxes = opts.idleMailboxTtl().isZero()
                ? new ConcurrentHashMap<>()
                : Caffeine.newBuilder()
                        .expireAfterAccess(opts.idleMailboxTtl())
                        .<MailboxId, Entry>build()
                        .asMap();
    }

    public InMemoryModSeqStore() {
        this(StoreOptions.defaults());
    }

    /** One mailbox: its snapshot and its expunge log. Guarded by the map's per-key compute lock and by itself. */
    private static final class Entry {
        MailboxState state;
        final ArrayDeque<LogEntry> log = new ArrayDeque<>();
        /** System.nanoTime() of the last markListed, and whether there was one (state.listingReuse). */
        long listedAt;

        boolean listed;

        /** Conditional STOREs in flight (reserve). */
        final Holds holds = new Holds();

        Entry(MailboxState state) {
            this.state = state;
        }
    }

    private record LogEntry(long modSeq, UidSet uids) {}

    /** Runs {@code body} on the mailbox's entry for {@code uidValidity}, (re)creating it first when needed. */
    private <T> T write(MailboxId id, long uidValidity, Function<Entry, T> body) {
        Object[] out = new Object[1];
        mailboxes.compute(id, (k, e) -> {
            if (e == null || e.state.uidValidity() != uidValidity) {
                // New mailbox, or UIDVALIDITY changed (RFC 3501 2.3.1.1): drop everything and start above the old
                // counter so no client can mistake new modseqs for old ones.
                long atLeast = e == null ? 0 : e.state.highestModSeq() + 1;
                e = new Entry(MailboxState.fresh(uidValidity, ModSeqClock.start(atLeast)));
            }
            synchronized (e) {
                out[0] = body.apply(e);
                ModSeqClock.observe(e.state.highestModSeq());
            }
            return e;
        });
        @SuppressWarnings("unchecked")
        T t = (T) out[0];
        return t;
    }

    private SyncResult applyLocked(Entry e, ChangeSet changes) {
        MailboxState.Applied a = e.state.apply(withoutExpunged(e, changes), e.state.highestModSeq() + 1);
        MailboxState next = a.state();
        if (!a.expunged().isEmpty()) {
            e.log.addLast(new LogEntry(a.modSeq(), a.expunged()));
            long horizon = next.expungeHorizon();
            while (e.log.size() > opts.expungeLogMaxEntries()) {
                // RFC 7162 5.3: forgetting expunges raises the horizon to the newest forgotten modseq.
                horizon = Math.max(horizon, e.log.removeFirst().modSeq());
            }
            next = next.withExpungeHorizon(horizon);
        }
        e.state = next;
        return new SyncResult(next, a.added(), a.changed(), a.expunged(), a.modSeq());
    }

    /**
     * An observed report of a message the state lacks and the expunge log remembers is dropped: an expunged UID
     * never comes back (RFC 9051 2.3.1.1), and the backend session may still show it as it was (RFC 9051 7.5.1).
     */
    private static ChangeSet withoutExpunged(Entry e, ChangeSet changes) {
        if (changes.observedModSeq() == 0 || e.log.isEmpty()) {
            return changes;
        }
        return changes.withoutUpserts(uid -> e.state.get(uid).isEmpty()
                && e.log.stream().anyMatch(le -> le.uids().contains(uid)));
    }

    @Override
    public CompletionStage<SyncResult> sync(MailboxId id, Listing listing) {
        return done(write(id, listing.uidValidity(), e -> applyLocked(e, MailboxDiff.compute(e.state, listing))));
    }

    @Override
    public CompletionStage<SyncResult> apply(MailboxId id, long uidValidity, ChangeSet changes) {
        return done(write(id, uidValidity, e -> applyLocked(e, changes)));
    }

    @Override
    public CompletionStage<Reservation> reserve(
            MailboxId id, long uidValidity, UidSet uids, long unchangedSince, Duration hold) {
        String holder = Holds.newHolder();
        long now = System.nanoTime();
        return done(write(id, uidValidity, e -> {
            UidSet.Builder modified = new UidSet.Builder();
            UidSet.Builder held = new UidSet.Builder();
            // walk the smaller of the set and the mailbox: 1:4294967295 is a valid set
            List<MessageState> candidates = uids.size() <= e.state.size()
                    ? uids.stream()
                            .mapToObj(e.state::get)
                            .flatMap(Optional::stream)
                            .toList()
                    : e.state.messages().stream()
                            .filter(m -> uids.contains(m.uid()))
                            .toList();
            e.holds.dropLapsed(now);
            for (MessageState m : candidates) {
                if (m.modSeq() > unchangedSince || e.holds.heldByOther(m.uid(), holder, now)) {
                    modified.add(m.uid());
                } else {
                    e.holds.hold(m.uid(), holder, now + hold.toNanos());
                    held.add(m.uid());
                }
            }
            return new Reservation(modified.build(), held.build(), holder, e.state.highestModSeq());
        }));
    }

    @Override
    public CompletionStage<Long> release(MailboxId id, long uidValidity, Reservation reservation, boolean stamp) {
        Entry current = mailboxes.get(id);
        if (current == null || current.state.uidValidity() != uidValidity) {
            return done(0L); // dropped or recreated since: its holds went with it
        }
        return done(write(id, uidValidity, e -> {
            e.holds.release(reservation.held(), reservation.holder());
            if (!stamp) {
                return 0L;
            }
            // same flags, "touched": a new mod-sequence for exactly the held messages still here (see ChangeSet)
            Map<Long, Flags> same = new HashMap<>();
            reservation.held().stream().forEach(uid -> e.state.get(uid).ifPresent(m -> same.put(uid, m.flags())));
            if (same.isEmpty()) {
                return 0L;
            }
            UidSet touched =
                    UidSet.of(same.keySet().stream().mapToLong(Long::longValue).toArray());
            return applyLocked(e, new ChangeSet(same, UidSet.empty(), touched)).assignedModSeq();
        }));
    }

    @Override
    public CompletionStage<Optional<MailboxSnapshot>> load(MailboxId id, long uidValidity) {
        Entry e = mailboxes.get(id);
        if (e == null) {
            return done(Optional.empty());
        }
        synchronized (e) {
            return done(e.state.uidValidity() == uidValidity ? Optional.of(e.state) : Optional.empty());
        }
    }

    @Override
    public CompletionStage<Vanished> vanishedSince(MailboxId id, long uidValidity, long modSeq) {
        Entry e = mailboxes.get(id);
        if (e == null) {
            return done(new Vanished.BelowHorizon(Long.MAX_VALUE));
        }
        synchronized (e) {
            if (e.state.uidValidity() != uidValidity) {
                return done(new Vanished.BelowHorizon(Long.MAX_VALUE));
            }
            if (modSeq < e.state.expungeHorizon()) {
                return done(new Vanished.BelowHorizon(e.state.expungeHorizon()));
            }
            UidSet.Builder b = new UidSet.Builder();
            for (Iterator<LogEntry> it = e.log.descendingIterator(); it.hasNext(); ) {
                LogEntry le = it.next();
                if (le.modSeq() <= modSeq) {
                    break;
                }
                b.addAll(le.uids());
            }
            return done(new Vanished.Exact(b.build()));
        }
    }

    @Override
    public CompletionStage<Long> highestModSeq(MailboxId id, long uidValidity) {
        return done(write(id, uidValidity, e -> e.state.highestModSeq()));
    }

    @Override
    public CompletionStage<Long> bump(MailboxId id, long uidValidity) {
        return done(write(id, uidValidity, e -> {
            e.state = e.state.withHighestModSeq(e.state.highestModSeq() + 1);
            return e.state.highestModSeq();
        }));
    }

    @Override
    public CompletionStage<Void> rename(MailboxId from, MailboxId to) {
        mailboxes.remove(from);
        mailboxes.remove(to);
        return done(null);
    }

    @Override
    public CompletionStage<Void> markListed(MailboxId id, long uidValidity) {
        Entry e = mailboxes.get(id);
        if (e != null) {
            synchronized (e) {
                if (e.state.uidValidity() == uidValidity) {
                    e.listedAt = System.nanoTime();
                    e.listed = true;
                }
            }
        }
        return done(null);
    }

    @Override
    public CompletionStage<Optional<Duration>> listingAge(MailboxId id, long uidValidity) {
        Entry e = mailboxes.get(id);
        if (e == null) {
            return done(Optional.empty());
        }
        synchronized (e) {
            return done(
                    e.listed && e.state.uidValidity() == uidValidity
                            ? Optional.of(Duration.ofNanos(System.nanoTime() - e.listedAt))
                            : Optional.empty());
        }
    }

    @Override
    public CompletionStage<Void> delete(MailboxId id) {
        mailboxes.remove(id);
        return done(null);
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public void close() {
        mailboxes.clear();
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}

package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ModSeqStore} must do, run against the memory store and against Redis (real redis-server).
 * Subclasses say how to make a store, how to make a second instance sharing the same data (for concurrency), and
 * how to lose all data (flush / new process); the conditional STORE's part is {@link ReservationContract}.
 */
public abstract class ModSeqStoreContract extends ReservationContract {

    // ---- HIGHESTMODSEQ basics -------------------------------------------------------------------------------------

    @Test
    void freshCounterStartsAtTheClockNeverZeroAndShort() {
        long before = ModSeqClock.now();
        long hms = await(store.highestModSeq(box, UV));
        // milliseconds since 2026 (ModSeqClock): 11 digits until 2029, where microseconds since 1970 had 16
        assertThat(hms).isGreaterThanOrEqualTo(before).isLessThan(1_000_000_000_000L);
        assertThat(await(store.highestModSeq(box, UV))).isEqualTo(hms);

        SyncResult empty = await(store.sync(box, listing(UV, 1)));
        assertThat(empty.assignedModSeq()).isZero();
        assertThat(empty.snapshot().highestModSeq()).isEqualTo(hms);
        assertThat(empty.snapshot().expungeHorizon()).isEqualTo(hms);
        assertThat(empty.snapshot().size()).isZero();
    }

    @Test
    void touchedUpsertGetsANewModSeqEvenWithUnchangedFlags() {
        SyncResult first = await(store.sync(box, listing(UV, 3, 1, SEEN, 2, NONE)));
        SyncResult same = await(store.apply(box, UV, new ChangeSet(java.util.Map.of(1L, SEEN), UidSet.empty())));
        assertThat(same.assignedModSeq()).isZero(); // an unchanged upsert keeps its mod-sequence
        // a client's STORE that set what was set already still gets its own (RFC 7162 3.1)
        SyncResult touched =
                await(store.apply(box, UV, new ChangeSet(java.util.Map.of(1L, SEEN), UidSet.empty(), UidSet.of(1))));
        assertThat(touched.assignedModSeq()).isGreaterThan(first.assignedModSeq());
        assertThat(touched.changed().toImapString()).isEqualTo("1");
        assertThat(modSeqs(touched.snapshot()))
                .containsEntry(1L, touched.assignedModSeq())
                .containsEntry(2L, first.assignedModSeq());
        assertThat(await(store.load(box, UV)).orElseThrow().get(1).orElseThrow().flags())
                .isEqualTo(SEEN);
    }

    @Test
    void emptyMailboxFirstSyncedHasNonZeroCounter() {
        SyncResult r = await(store.sync(box, listing(UV, 1)));
        assertThat(r.snapshot().highestModSeq()).isGreaterThan(0);
        assertThat(await(store.load(box, UV))).isPresent();
    }

    @Test
    void firstSyncAddsEverythingWithOneSharedModSeq() {
        SyncResult r = await(store.sync(box, listing(UV, 6, 1, SEEN, 2, NONE, 3, FLAGGED, 5, SEEN)));
        long start = r.snapshot().expungeHorizon();
        assertThat(r.assignedModSeq()).isEqualTo(start + 1);
        assertThat(r.added().toImapString()).isEqualTo("1:3,5");
        assertThat(r.changed().isEmpty()).isTrue();
        assertThat(r.expunged().isEmpty()).isTrue();
        assertThat(r.snapshot().highestModSeq()).isEqualTo(r.assignedModSeq());
        assertThat(modSeqs(r.snapshot()))
                .containsOnlyKeys(1L, 2L, 3L, 5L)
                .allSatisfy((u, m) -> assertThat(m).isEqualTo(r.assignedModSeq()));
        assertThat(r.snapshot().get(3).orElseThrow().flags()).isEqualTo(FLAGGED);
        assertThat(r.snapshot().get(4)).isEmpty();
    }

    @Test
    void resyncWithoutChangesAssignsNothing() {
        SyncResult first = await(store.sync(box, listing(UV, 3, 1, SEEN, 2, NONE)));
        SyncResult again = await(store.sync(box, listing(UV, 3, 1, SEEN, 2, NONE)));
        assertThat(again.assignedModSeq()).isZero();
        assertThat(again.added().isEmpty()
                        && again.changed().isEmpty()
                        && again.expunged().isEmpty())
                .isTrue();
        assertThat(again.snapshot().highestModSeq()).isEqualTo(first.snapshot().highestModSeq());
        assertThat(modSeqs(again.snapshot())).isEqualTo(modSeqs(first.snapshot()));
    }

    @Test
    void onlyChangedMessagesGetTheNewModSeqAndExpungesShareIt() {
        SyncResult first = await(store.sync(box, listing(UV, 5, 1, NONE, 2, NONE, 3, NONE, 4, NONE)));
        long m1 = first.assignedModSeq();
        SyncResult second = await(store.sync(box, listing(UV, 6, 1, SEEN, 2, NONE, 4, FLAGGED, 5, NONE)));
        long m2 = second.assignedModSeq();
        assertThat(m2).isEqualTo(m1 + 1);
        assertThat(second.changed().toImapString()).isEqualTo("1,4");
        assertThat(second.added().toImapString()).isEqualTo("5");
        assertThat(second.expunged().toImapString()).isEqualTo("3");
        assertThat(modSeqs(second.snapshot()))
                .containsExactlyEntriesOf(new TreeMap<>(Map.of(1L, m2, 2L, m1, 4L, m2, 5L, m2)));
        assertThat(second.snapshot().changedSince(m1).stream()
                        .map(MessageState::uid)
                        .toList())
                .containsExactly(1L, 4L, 5L);
        assertThat(await(store.vanishedSince(box, UV, m1))).isEqualTo(new Vanished.Exact(UidSet.of(3)));
        assertThat(await(store.vanishedSince(box, UV, m2))).isEqualTo(new Vanished.Exact(UidSet.empty()));
    }

    @Test
    void applyUnchangedUpsertKeepsModSeqAndAssignsNothing() {
        SyncResult first = await(store.sync(box, listing(UV, 3, 1, SEEN, 2, NONE)));
        SyncResult same = await(store.apply(box, UV, ChangeSet.upsert(1, Flags.of("\\seen", "\\Recent"))));
        assertThat(same.assignedModSeq()).isZero();
        assertThat(same.snapshot().highestModSeq()).isEqualTo(first.assignedModSeq());
        assertThat(same.snapshot().get(1).orElseThrow().modSeq()).isEqualTo(first.assignedModSeq());
    }

    @Test
    void applyBatchGetsOneModSeqForUpsertsAddsAndExpunges() {
        SyncResult first = await(store.sync(box, listing(UV, 4, 1, NONE, 2, NONE, 3, NONE)));
        ChangeSet batch = new ChangeSet(Map.of(1L, SEEN, 2L, NONE, 9L, FLAGGED), UidSet.parse("3,7:8", 0));
        SyncResult r = await(store.apply(box, UV, batch));
        long m = r.assignedModSeq();
        assertThat(m).isEqualTo(first.assignedModSeq() + 1);
        assertThat(r.changed()).isEqualTo(UidSet.of(1));
        assertThat(r.added()).isEqualTo(UidSet.of(9));
        assertThat(r.expunged()).isEqualTo(UidSet.of(3)); // 7 and 8 were never there: not logged
        assertThat(modSeqs(r.snapshot()))
                .containsExactlyEntriesOf(new TreeMap<>(Map.of(1L, m, 2L, first.assignedModSeq(), 9L, m)));
        assertThat(await(store.vanishedSince(box, UV, first.assignedModSeq())))
                .isEqualTo(new Vanished.Exact(UidSet.of(3)));
        // what load() returns agrees with what apply() returned
        MailboxSnapshot loaded = await(store.load(box, UV)).orElseThrow();
        assertThat(loaded.messages()).isEqualTo(r.snapshot().messages());
        assertThat(loaded.highestModSeq()).isEqualTo(m);
    }

    /**
     * A backend's report observed when the proxy knew the mailbox up to m never reverts a later change (another
     * instance's), but still updates older messages and adds new ones.
     */
    @Test
    void anObservedReportNeverOverwritesAChangeMadeAfterIt() {
        SyncResult first = await(store.sync(box, listing(UV, 3, 1, NONE, 2, NONE)));
        long observedAt = first.assignedModSeq();
        long later = await(store.apply(box, UV, ChangeSet.upsert(1, FLAGGED))).assignedModSeq();

        SyncResult stale = await(store.apply(box, UV, ChangeSet.observed(1, SEEN, observedAt)));
        assertThat(stale.assignedModSeq()).isZero();
        assertThat(stale.changed().isEmpty()).isTrue();
        assertThat(stale.snapshot().get(1).orElseThrow()).isEqualTo(new MessageState(1, later, FLAGGED));

        SyncResult older = await(store.apply(box, UV, ChangeSet.observed(2, SEEN, observedAt)));
        assertThat(older.changed()).isEqualTo(UidSet.of(2));
        assertThat(older.assignedModSeq()).isGreaterThan(later);
        SyncResult fresh = await(store.apply(box, UV, ChangeSet.observed(1, SEEN, later)));
        assertThat(fresh.changed()).isEqualTo(UidSet.of(1));
        SyncResult added = await(store.apply(box, UV, ChangeSet.observed(5, SEEN, observedAt)));
        assertThat(added.added()).isEqualTo(UidSet.of(5));
        MailboxSnapshot loaded = await(store.load(box, UV)).orElseThrow();
        assertThat(loaded.messages()).isEqualTo(added.snapshot().messages());
    }

    @Test
    void anObservedReportNeverBringsBackAnExpungedMessage() {
        await(store.sync(box, listing(UV, 4, 1, NONE, 2, NONE, 3, NONE)));
        long gone = await(store.apply(box, UV, ChangeSet.expunge(UidSet.of(2)))).assignedModSeq();

        // the reporting session knew of the expunge (fence at or above it) or not (below): either way uid 2 is gone
        for (long fence : new long[] {gone - 1, gone, gone + 5}) {
            SyncResult stale = await(store.apply(box, UV, ChangeSet.observed(2, SEEN, fence)));
            assertThat(stale.assignedModSeq()).isZero();
            assertThat(stale.added().isEmpty()).isTrue();
            assertThat(stale.snapshot().uids()).isEqualTo(UidSet.of(1, 3));
        }
        SyncResult present = await(store.apply(box, UV, ChangeSet.observed(3, SEEN, gone)));
        assertThat(present.changed()).isEqualTo(UidSet.of(3));
        SyncResult fresh = await(store.apply(box, UV, ChangeSet.observed(7, SEEN, gone)));
        assertThat(fresh.added()).isEqualTo(UidSet.of(7));
        assertThat(await(store.load(box, UV)).orElseThrow().uids()).isEqualTo(UidSet.of(1, 3, 7));
    }

    @Test
    void messagesAtOrAboveListingUidNextAreNeverExpunged() {
        await(store.sync(box, listing(UV, 3, 1, NONE, 2, NONE)));
        // another instance saw an APPEND of uid 3 after our listing was taken
        await(store.apply(box, UV, ChangeSet.upsert(3, SEEN)));
        SyncResult stale = await(store.sync(box, listing(UV, 3, 1, NONE)));
        assertThat(stale.expunged()).isEqualTo(UidSet.of(2));
        assertThat(stale.snapshot().uids()).isEqualTo(UidSet.of(1, 3));
    }

    @Test
    void bumpRaisesTheCounterByOne() {
        long hms = await(store.sync(box, listing(UV, 2, 1, NONE))).snapshot().highestModSeq();
        assertThat(await(store.bump(box, UV))).isEqualTo(hms + 1);
        assertThat(await(store.highestModSeq(box, UV))).isEqualTo(hms + 1);
        assertThat(await(store.load(box, UV)).orElseThrow().highestModSeq()).isEqualTo(hms + 1);
        SyncResult next = await(store.apply(box, UV, ChangeSet.upsert(1, SEEN)));
        assertThat(next.assignedModSeq()).isEqualTo(hms + 2);
    }

    // ---- UIDVALIDITY, rename, delete, data loss -----------------------------------------------------------------

    @Test
    void uidValidityChangeDropsStateAndStartsAboveTheOldCounter() {
        SyncResult old = await(store.sync(box, listing(UV, 3, 1, SEEN, 2, NONE)));
        await(store.apply(box, UV, ChangeSet.expunge(UidSet.of(2))));
        long oldHms = await(store.highestModSeq(box, UV));
        SyncResult fresh = await(store.sync(box, listing(UV + 1, 2, 1, FLAGGED)));
        assertThat(fresh.snapshot().uidValidity()).isEqualTo(UV + 1);
        assertThat(fresh.snapshot().expungeHorizon()).isGreaterThan(oldHms);
        assertThat(fresh.assignedModSeq()).isGreaterThan(oldHms);
        assertThat(fresh.added()).isEqualTo(UidSet.of(1));
        assertThat(fresh.expunged().isEmpty()).isTrue();
        assertThat(await(store.load(box, UV))).isEmpty();
        assertThat(await(store.vanishedSince(box, UV, old.assignedModSeq())))
                .isEqualTo(new Vanished.BelowHorizon(Long.MAX_VALUE));
        assertThat(await(store.vanishedSince(box, UV + 1, oldHms)))
                .isEqualTo(new Vanished.BelowHorizon(fresh.snapshot().expungeHorizon()));
    }

    @Test
    void renameDropsBothNamesAndCountersRestartAbove() {
        MailboxId to = new MailboxId(box.backend(), box.user(), box.mailbox() + ".renamed");
        long fromHms =
                await(store.sync(box, listing(UV, 2, 1, SEEN))).snapshot().highestModSeq();
        long toHms = await(store.sync(to, listing(UV, 2, 1, NONE))).snapshot().highestModSeq();
        await(store.rename(box, to));
        assertThat(await(store.load(box, UV))).isEmpty();
        assertThat(await(store.load(to, UV))).isEmpty();
        assertThat(await(store.highestModSeq(to, UV))).isGreaterThan(Math.max(fromHms, toHms));
        assertThat(await(store.vanishedSince(to, UV, fromHms))).isInstanceOf(Vanished.BelowHorizon.class);
    }

    /** state.listingReuse across instances: a mark is seen by every instance sharing the data, for its UIDVALIDITY. */
    @Test
    void aFullListingIsRememberedForTheWindowAsked() {
        Duration hour = Duration.ofHours(1);
        assertThat(await(store.listedWithin(box, UV, hour))).isFalse(); // no state yet
        await(store.sync(box, listing(UV, 2, 1, SEEN)));
        assertThat(await(store.listedWithin(box, UV, hour))).isFalse(); // state, but no mark
        await(store.markListed(box, UV));
        assertThat(await(store.listedWithin(box, UV, hour))).isTrue();
        assertThat(await(store.listedWithin(box, UV + 1, hour))).isFalse();
        assertThat(await(store.listedWithin(box, UV, Duration.ZERO))).isFalse();
        if (instancesShareState()) {
            assertThat(await(extraStore(options()).listedWithin(box, UV, hour))).isTrue();
        }
        await(store.delete(box));
        assertThat(await(store.listedWithin(box, UV, hour))).isFalse();
    }

    @Test
    void aFullListingsAgeIsToldToEveryInstance() {
        assertThat(await(store.listingAge(box, UV))).isEmpty(); // no state yet
        await(store.sync(box, listing(UV, 2, 1, SEEN)));
        assertThat(await(store.listingAge(box, UV))).isEmpty(); // state, but no mark
        await(store.markListed(box, UV));
        assertThat(await(store.listingAge(box, UV)))
                .hasValueSatisfying(age -> assertThat(age).isBetween(Duration.ZERO, Duration.ofHours(1)));
        assertThat(await(store.listingAge(box, UV + 1))).isEmpty();
        if (instancesShareState()) {
            assertThat(await(extraStore(options()).listingAge(box, UV))).isPresent();
        }
        await(store.delete(box));
        assertThat(await(store.listingAge(box, UV))).isEmpty();
    }

    @Test
    void deleteDropsState() {
        long hms = await(store.sync(box, listing(UV, 2, 1, SEEN))).snapshot().highestModSeq();
        await(store.delete(box));
        assertThat(await(store.load(box, UV))).isEmpty();
        SyncResult again = await(store.sync(box, listing(UV, 2, 1, SEEN)));
        assertThat(again.added()).isEqualTo(UidSet.of(1));
        assertThat(again.snapshot().expungeHorizon()).isGreaterThan(hms);
    }

    @Test
    void counterStaysMonotonicWhenAllDataIsLost() {
        SyncResult r = await(store.sync(box, listing(UV, 3, 1, SEEN, 2, NONE)));
        for (int i = 0; i < 50; i++) {
            await(store.bump(box, UV)); // run ahead of the wall clock a little
        }
        long before = await(store.highestModSeq(box, UV));
        loseAllData();
        store.close();
        store = newStore(options());
        assertThat(await(store.load(box, UV))).isEmpty();
        long after = await(store.highestModSeq(box, UV));
        assertThat(after).isGreaterThan(before);
        // a client that saw r's modseq gets no exact (possibly wrong) VANISHED: RFC 7162 3.2.5.2 fallback
        assertThat(await(store.vanishedSince(box, UV, r.assignedModSeq()))).isEqualTo(new Vanished.BelowHorizon(after));
    }

    // ---- expunge log and horizon --------------------------------------------------------------------------------

    @Test
    void trimmedLogRaisesHorizonAndAnswersBelowHorizon() {
        store.close();
        store = newStore(options().withExpungeLogMaxEntries(3));
        TreeMap<Long, Flags> msgs = new TreeMap<>();
        for (long u = 1; u <= 10; u++) {
            msgs.put(u, NONE);
        }
        long m0 = await(store.sync(
                        box,
                        new Listing(
                                UV,
                                11,
                                msgs.keySet().stream().mapToLong(x -> x).toArray(),
                                msgs.values().toArray(new Flags[0]))))
                .assignedModSeq();
        long[] m = new long[6];
        for (int i = 1; i <= 5; i++) {
            m[i] = await(store.apply(box, UV, ChangeSet.expunge(UidSet.of(i)))).assignedModSeq();
        }
        MailboxSnapshot s = await(store.load(box, UV)).orElseThrow();
        assertThat(s.expungeHorizon()).isEqualTo(m[2]); // entries 1 and 2 dropped
        assertThat(await(store.vanishedSince(box, UV, m0))).isEqualTo(new Vanished.BelowHorizon(m[2]));
        assertThat(await(store.vanishedSince(box, UV, m[1]))).isEqualTo(new Vanished.BelowHorizon(m[2]));
        assertThat(await(store.vanishedSince(box, UV, m[2]))).isEqualTo(new Vanished.Exact(UidSet.parse("3:5", 0)));
        assertThat(await(store.vanishedSince(box, UV, m[4]))).isEqualTo(new Vanished.Exact(UidSet.of(5)));
        assertThat(await(store.vanishedSince(box, UV, m[5]))).isEqualTo(new Vanished.Exact(UidSet.empty()));
        assertThat(await(store.vanishedSince(box, UV, m[5] + 1000))).isEqualTo(new Vanished.Exact(UidSet.empty()));
    }

    /** Random batches against a model log: trimming may only turn answers into BelowHorizon, never a wrong Exact. */
    @Test
    void vanishedSinceIsNeverAWrongExactAnswer() {
        store.close();
        store = newStore(options().withExpungeLogMaxEntries(7));
        Random rnd = new Random(5162);
        long next = 1;
        TreeMap<Long, Flags> present = new TreeMap<>();
        List<long[]> truth = new ArrayList<>(); // (modseq, uid) of every expunge ever
        List<Long> seen = new ArrayList<>();
        seen.add(await(store.highestModSeq(box, UV)));
        for (int round = 0; round < 120; round++) {
            Map<Long, Flags> up = new TreeMap<>();
            for (int i = rnd.nextInt(4); i > 0; i--) {
                up.put(next++, rnd.nextBoolean() ? SEEN : NONE);
            }
            UidSet.Builder gone = new UidSet.Builder();
            for (Long uid : present.keySet()) {
                if (rnd.nextInt(6) == 0) {
                    gone.add(uid);
                }
            }
            if (rnd.nextInt(4) == 0) {
                gone.add(next + 1000); // absent uid: must not be logged
            }
            SyncResult r = await(store.apply(box, UV, new ChangeSet(up, gone.build())));
            present.putAll(up);
            r.expunged().stream().forEach(uid -> {
                present.remove(uid);
                truth.add(new long[] {r.assignedModSeq(), uid});
            });
            assertThat(r.expunged()).isEqualTo(gone.build().minus(UidSet.of(next + 1000)));
            if (r.assignedModSeq() != 0) {
                seen.add(r.assignedModSeq());
            }
            // ask about random earlier modseqs
            for (int q = 0; q < 3; q++) {
                long asked = seen.get(rnd.nextInt(seen.size())) + (rnd.nextInt(3) - 1);
                Vanished v = await(store.vanishedSince(box, UV, asked));
                long horizon = await(store.load(box, UV)).orElseThrow().expungeHorizon();
                if (v instanceof Vanished.Exact exact) {
                    assertThat(asked).isGreaterThanOrEqualTo(horizon);
                    UidSet.Builder want = new UidSet.Builder();
                    truth.stream().filter(t -> t[0] > asked).forEach(t -> want.add(t[1]));
                    assertThat(exact.uids())
                            .as("round %d asked %d", round, asked)
                            .isEqualTo(want.build());
                } else {
                    assertThat(asked).isLessThan(horizon);
                    assertThat(((Vanished.BelowHorizon) v).horizon()).isEqualTo(horizon);
                }
            }
        }
        assertThat(await(store.load(box, UV)).orElseThrow().expungeHorizon()).isGreaterThan(seen.get(0));
    }

    // ---- concurrency --------------------------------------------------------------------------------------------

    /**
     * Two writers (two store instances when they share state) hammer one mailbox: one applies witnessed changes
     * (APPEND of new uids, EXPUNGE of its own earlier ones), the other syncs listings of the low uid range. Every
     * batch that changed something has its own modseq, each writer sees them strictly increase, and every expunge
     * is in the log.
     */
    @Test
    void concurrentWritersNeverShareAModSeqNorLoseAnExpunge() throws Exception {
        ModSeqStore other = instancesShareState() ? extraStore(options()) : store;
        TreeMap<Long, Flags> low = new TreeMap<>();
        for (long u = 1; u <= 200; u++) {
            low.put(u, NONE);
        }
        long start = await(store.sync(box, PropertyListings.of(UV, 201, low)))
                .snapshot()
                .highestModSeq();
        ConcurrentLinkedQueue<Long> assigned = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> expunged = new ConcurrentLinkedQueue<>();
        CyclicBarrier go = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        int rounds = 150;
        Future<List<Long>> applier = pool.submit(() -> {
            go.await();
            List<Long> mine = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                long uid = 1000 + i;
                UidSet gone = i >= 2 && i % 2 == 0 ? UidSet.of(uid - 2) : UidSet.empty();
                SyncResult r = await(store.apply(box, UV, new ChangeSet(Map.of(uid, SEEN), gone)));
                assertThat(r.added()).isEqualTo(UidSet.of(uid));
                assertThat(r.expunged()).isEqualTo(gone);
                mine.add(r.assignedModSeq());
                r.expunged().stream().forEach(expunged::add);
            }
            return mine;
        });
        Future<List<Long>> syncer = pool.submit(() -> {
            go.await();
            Random rnd = new Random(1);
            List<Long> mine = new ArrayList<>();
            TreeMap<Long, Flags> listed = new TreeMap<>(low);
            for (int i = 0; i < rounds; i++) {
                // the backend loses a low message now and then, and flags change
                if (!listed.isEmpty() && rnd.nextInt(3) == 0) {
                    listed.remove(listed.keySet().stream()
                            .skip(rnd.nextInt(listed.size()))
                            .findFirst()
                            .get());
                }
                listed.replaceAll((u, f) -> rnd.nextInt(20) == 0 ? (f.equals(SEEN) ? NONE : SEEN) : f);
                SyncResult r = await(other.sync(box, PropertyListings.of(UV, 201, listed)));
                if (r.assignedModSeq() != 0) {
                    mine.add(r.assignedModSeq());
                }
                r.expunged().stream().forEach(expunged::add);
            }
            return mine;
        });
        List<Long> a = applier.get(120, TimeUnit.SECONDS);
        List<Long> b = syncer.get(120, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(a).doesNotContain(0L);
        assertThat(a).isSorted().doesNotHaveDuplicates();
        assertThat(b).isSorted().doesNotHaveDuplicates();
        List<Long> all = new ArrayList<>(a);
        all.addAll(b);
        assertThat(all).doesNotHaveDuplicates().allSatisfy(m -> assertThat(m).isGreaterThan(start));
        assertThat(Collections.max(all)).isEqualTo(await(store.highestModSeq(box, UV)));

        // no expunge lost: the log has exactly every expunge reported, and none is still present
        UidSet.Builder reported = new UidSet.Builder();
        expunged.forEach(reported::add);
        assertThat(await(store.vanishedSince(box, UV, start))).isEqualTo(new Vanished.Exact(reported.build()));
        MailboxSnapshot end = await(other.load(box, UV)).orElseThrow();
        assertThat(end.uids().intersect(reported.build()).isEmpty()).isTrue();
        // every appended uid not expunged by the applier survived the syncer's listings (all above its UIDNEXT)
        for (int i = 0; i < rounds; i++) {
            long uid = 1000 + i;
            assertThat(end.get(uid).isPresent())
                    .as("uid %d", uid)
                    .isEqualTo(!reported.build().contains(uid));
        }
    }

    /** Small helper shared by the tests above. */
    static final class PropertyListings {
        static Listing of(long uv, long uidNext, TreeMap<Long, Flags> m) {
            return new Listing(
                    uv,
                    uidNext,
                    m.keySet().stream().mapToLong(Long::longValue).toArray(),
                    m.values().toArray(new Flags[0]));
        }
    }

    protected static Duration timed(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}

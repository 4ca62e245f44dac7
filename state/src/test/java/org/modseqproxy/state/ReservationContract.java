package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The conditional STORE's part of the store contract (RFC 7162 3.1.3): {@link ModSeqStore#reserve} checks
 * UNCHANGEDSINCE and holds what passed, without moving a mod-sequence; {@link ModSeqStore#release} ends the hold, and
 * stamps the held messages when the STORE's outcome is unknown.
 */
public abstract class ReservationContract extends StoreFixture {

    private static final Duration HOLD = Duration.ofMinutes(2);

    @Test
    void reserveHoldsWhatPassedReportsWhatChangedSinceAndMovesNoModSeq() {
        long m1 = await(store.sync(box, listing(UV, 6, 1, SEEN, 2, NONE, 3, FLAGGED, 4, NONE)))
                .assignedModSeq();
        long m2 = await(store.apply(box, UV, ChangeSet.upsert(2, SEEN))).assignedModSeq();
        // 9 is not stored: in neither set
        Reservation r = await(store.reserve(box, UV, UidSet.of(1, 2, 3, 9), m1, HOLD));
        assertThat(r.modified()).isEqualTo(UidSet.of(2));
        assertThat(r.held()).isEqualTo(UidSet.of(1, 3));
        assertThat(r.highestModSeqBefore()).isEqualTo(m2);
        // a STORE that then changes nothing must leave them alone (RFC 7162 3.1: "SHOULD NOT change the mod-sequence")
        MailboxSnapshot after = await(store.load(box, UV)).orElseThrow();
        assertThat(after.highestModSeq()).isEqualTo(m2);
        assertThat(modSeqs(after)).containsExactlyEntriesOf(new TreeMap<>(Map.of(1L, m1, 2L, m2, 3L, m1, 4L, m1)));
        assertThat(await(store.release(box, UV, r, false))).isZero();
        assertThat(await(store.load(box, UV)).orElseThrow().highestModSeq()).isEqualTo(m2);
    }

    @Test
    void reserveWithNothingPassingHoldsNothing() {
        long m1 = await(store.sync(box, listing(UV, 3, 1, SEEN, 2, NONE))).assignedModSeq();
        Reservation r = await(store.reserve(box, UV, UidSet.range(1, 4_294_967_295L), m1 - 1, HOLD));
        assertThat(r.modified()).isEqualTo(UidSet.of(1, 2));
        assertThat(r.held().isEmpty()).isTrue();
        assertThat(await(store.load(box, UV)).orElseThrow().highestModSeq()).isEqualTo(m1);
        assertThat(await(store.reserve(box, UV, UidSet.of(1, 2), m1, HOLD)).held())
                .isEqualTo(UidSet.of(1, 2));
    }

    /** A conditional STORE in flight fails racing ones for its messages, on any instance, until its release. */
    @Test
    void aHeldMessageFailsOtherReservationsUntilReleased() {
        ModSeqStore other = instancesShareState() ? extraStore(options()) : store;
        long m1 = await(store.sync(box, listing(UV, 4, 1, NONE, 2, NONE, 3, NONE)))
                .assignedModSeq();
        Reservation first = await(store.reserve(box, UV, UidSet.of(1, 2), m1, HOLD));
        assertThat(first.held()).isEqualTo(UidSet.of(1, 2));

        Reservation racing = await(other.reserve(box, UV, UidSet.of(2, 3), m1, HOLD));
        assertThat(racing.modified()).isEqualTo(UidSet.of(2));
        assertThat(racing.held()).isEqualTo(UidSet.of(3));

        // the first STORE changed message 1 only (its report is applied), then it ends
        long m2 = await(store.apply(box, UV, ChangeSet.upsert(1, SEEN))).assignedModSeq();
        await(store.release(box, UV, first, false));
        await(other.release(box, UV, racing, false));
        Reservation after = await(other.reserve(box, UV, UidSet.of(1, 2, 3), m1, HOLD));
        assertThat(after.modified()).isEqualTo(UidSet.of(1));
        assertThat(after.held()).isEqualTo(UidSet.of(2, 3));
        assertThat(modSeqs(await(store.load(box, UV)).orElseThrow()))
                .containsExactlyEntriesOf(new TreeMap<>(Map.of(1L, m2, 2L, m1, 3L, m1)));
    }

    /** The backend failed or never answered: the held messages may have changed, so racing STOREs must fail. */
    @Test
    void releaseWithStampGivesTheHeldMessagesANewModSeq() {
        long m1 = await(store.sync(box, listing(UV, 4, 1, SEEN, 2, NONE, 3, NONE)))
                .assignedModSeq();
        Reservation r = await(store.reserve(box, UV, UidSet.of(1, 2), m1, HOLD));
        // one held message is expunged meanwhile: it stays gone
        long m2 = await(store.apply(box, UV, new ChangeSet(Map.of(), UidSet.of(2))))
                .assignedModSeq();
        long stamped = await(store.release(box, UV, r, true));
        assertThat(stamped).isGreaterThan(m2);
        MailboxSnapshot after = await(store.load(box, UV)).orElseThrow();
        assertThat(after.highestModSeq()).isEqualTo(stamped);
        assertThat(modSeqs(after)).containsExactlyEntriesOf(new TreeMap<>(Map.of(1L, stamped, 3L, m1)));
        assertThat(after.get(1).orElseThrow().flags()).isEqualTo(SEEN);
        assertThat(await(store.reserve(box, UV, UidSet.of(1, 3), m1, HOLD)).modified())
                .isEqualTo(UidSet.of(1));
    }

    /** A hold whose proxy died lapses: it never blocks a message for good. */
    @Test
    void anUnreleasedHoldLapses() {
        long m1 = await(store.sync(box, listing(UV, 2, 1, NONE))).assignedModSeq();
        assertThat(await(store.reserve(box, UV, UidSet.of(1), m1, Duration.ofMillis(50)))
                        .held())
                .isEqualTo(UidSet.of(1));
        assertThat(await(store.reserve(box, UV, UidSet.of(1), m1, HOLD)).modified())
                .isEqualTo(UidSet.of(1));
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> await(store.reserve(box, UV, UidSet.of(1), m1, HOLD))
                        .held()
                        .equals(UidSet.of(1)));
        assertThat(await(store.load(box, UV)).orElseThrow().highestModSeq()).isEqualTo(m1);
    }

    /** The race the reservation exists for: many conditional STOREs on one message with the same UNCHANGEDSINCE. */
    @Test
    void racingReservationsOnOneMessageHaveOneWinner() throws Exception {
        ModSeqStore other = instancesShareState() ? extraStore(options()) : store;
        long m1 = await(store.sync(box, listing(UV, 3, 1, NONE, 2, NONE))).assignedModSeq();
        int racers = 8;
        CyclicBarrier go = new CyclicBarrier(racers);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Future<Reservation>> results = new ArrayList<>();
            for (int k = 0; k < racers; k++) {
                ModSeqStore s = k % 2 == 0 ? store : other;
                results.add(pool.submit(() -> {
                    go.await();
                    return await(s.reserve(box, UV, UidSet.of(1), m1, HOLD));
                }));
            }
            int winners = 0;
            for (Future<Reservation> f : results) {
                Reservation r = f.get(20, TimeUnit.SECONDS);
                if (r.held().equals(UidSet.of(1))) {
                    winners++;
                } else {
                    assertThat(r.modified()).isEqualTo(UidSet.of(1));
                }
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}

package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.modseqproxy.state.impl.MailboxState;

/** Generated mailboxes and listings (seeded): applying the diff must reproduce the listing, exactly. */
class MailboxDiffPropertyTest {

    private static final Flags[] FLAG_POOL = {
        Flags.EMPTY,
        Flags.of("\\Seen"),
        Flags.of("\\Seen", "\\Answered"),
        Flags.of("\\Deleted"),
        Flags.of("$Junk"),
        Flags.of("\\Flagged", "work"),
        Flags.of("\\Seen", "\\Recent"),
    };

    @Test
    void applyingTheDiffReproducesTheListing() {
        Random rnd = new Random(7162);
        for (int round = 0; round < 5000; round++) {
            long uv = 1 + rnd.nextInt(3);
            // stored mailbox
            TreeMap<Long, Flags> stored = randomMailbox(rnd, rnd.nextInt(4) == 0 ? 0 : 1 + rnd.nextInt(400));
            long hms = 1_000_000 + rnd.nextInt(1000);
            List<MessageState> msgs = new ArrayList<>();
            stored.forEach((uid, f) -> msgs.add(new MessageState(uid, hms - rnd.nextInt(50), f)));
            MailboxState snapshot = rnd.nextInt(10) == 0 ? null : MailboxState.of(uv, hms, hms - 100, msgs);

            // backend truth: some stored messages gone, some flags changed, some new ones
            TreeMap<Long, Flags> backend = new TreeMap<>();
            long maxUid = stored.isEmpty() ? 0 : stored.lastKey();
            for (Map.Entry<Long, Flags> e : stored.entrySet()) {
                int dice = rnd.nextInt(10);
                if (dice == 0) {
                    continue; // expunged
                }
                backend.put(e.getKey(), dice == 1 ? pick(rnd) : e.getValue());
            }
            long next = maxUid + 1;
            int added = rnd.nextInt(5) == 0 ? rnd.nextInt(300) : rnd.nextInt(3);
            for (int i = 0; i < added; i++) {
                next += 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(500) : 0);
                backend.put(next, pick(rnd));
            }
            long listingUidNext = next + 1;
            // sometimes the listing's UIDNEXT is stale-low: stored uids at/above it must survive
            if (rnd.nextInt(5) == 0 && !stored.isEmpty()) {
                listingUidNext = 1 + rnd.nextLong(stored.lastKey() + 1);
                final long cut = listingUidNext;
                backend.keySet().removeIf(uid -> uid >= cut);
            }
            long snapshotUv = snapshot == null ? -1 : snapshot.uidValidity();
            long listingUv = rnd.nextInt(20) == 0 ? uv + 1 : uv;
            Listing listing = toListing(listingUv, listingUidNext, backend);

            ChangeSet cs = MailboxDiff.compute(snapshot, listing);

            TreeMap<Long, Flags> before = snapshot == null || snapshotUv != listingUv ? new TreeMap<>() : stored;
            // expected sets
            TreeMap<Long, Flags> expectedAfter = new TreeMap<>(backend);
            before.forEach((uid, f) -> {
                if (uid >= listing.uidNext()) {
                    expectedAfter.put(uid, f); // not covered by the listing: kept
                }
            });
            UidSet.Builder expAdded = new UidSet.Builder();
            UidSet.Builder expChanged = new UidSet.Builder();
            UidSet.Builder expGone = new UidSet.Builder();
            backend.forEach((uid, f) -> {
                if (!before.containsKey(uid)) {
                    expAdded.add(uid);
                } else if (!before.get(uid).equals(f)) {
                    expChanged.add(uid);
                }
            });
            before.keySet().stream()
                    .filter(uid -> uid < listing.uidNext() && !backend.containsKey(uid))
                    .forEach(expGone::add);

            MailboxState base = before == stored ? snapshot : MailboxState.fresh(listingUv, hms);
            MailboxState.Applied a = base.apply(cs, base.highestModSeq() + 1);
            String ctx = "round " + round;
            assertThat(a.added()).as(ctx).isEqualTo(expAdded.build());
            assertThat(a.changed()).as(ctx).isEqualTo(expChanged.build());
            assertThat(a.expunged()).as(ctx).isEqualTo(expGone.build());
            assertThat(cs.expunged()).as(ctx).isEqualTo(expGone.build());
            assertThat(cs.upserts().keySet())
                    .as(ctx)
                    .containsExactlyElementsOf(expAdded.build().union(expChanged.build()).stream()
                            .boxed()
                            .toList());
            TreeMap<Long, Flags> after = new TreeMap<>();
            a.state().messages().forEach(m -> after.put(m.uid(), m.flags()));
            assertThat(after).as(ctx).isEqualTo(expectedAfter);
            // modseqs: changed/added get the batch modseq, the rest keep theirs
            long batch = base.highestModSeq() + 1;
            boolean anything = !cs.isEmpty();
            assertThat(a.modSeq()).as(ctx).isEqualTo(anything ? batch : 0);
            assertThat(a.state().highestModSeq()).as(ctx).isEqualTo(anything ? batch : base.highestModSeq());
            for (MessageState m : a.state().messages()) {
                boolean touched = cs.upserts().containsKey(m.uid());
                long expected =
                        touched ? batch : base.get(m.uid()).orElseThrow().modSeq();
                assertThat(m.modSeq()).as(ctx + " uid " + m.uid()).isEqualTo(expected);
            }
            assertThat(a.state().changedSince(base.highestModSeq()).stream()
                            .map(MessageState::uid)
                            .toList())
                    .as(ctx)
                    .containsExactlyElementsOf(cs.upserts().keySet());
            assertThat(a.state().uids().size()).isEqualTo(a.state().size());
        }
    }

    private static TreeMap<Long, Flags> randomMailbox(Random rnd, int n) {
        TreeMap<Long, Flags> m = new TreeMap<>();
        long uid = rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            uid += 1 + (rnd.nextInt(8) == 0 ? rnd.nextInt(300) : 0);
            m.put(uid, pick(rnd));
        }
        return m;
    }

    private static Flags pick(Random rnd) {
        return FLAG_POOL[rnd.nextInt(FLAG_POOL.length)];
    }

    static Listing toListing(long uv, long uidNext, TreeMap<Long, Flags> msgs) {
        long[] uids = msgs.keySet().stream().mapToLong(Long::longValue).toArray();
        return new Listing(uv, uidNext, uids, msgs.values().toArray(new Flags[0]));
    }
}

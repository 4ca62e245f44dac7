package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.modseqproxy.state.impl.MailboxState;

/**
 * {@link MailboxSnapshot#lackedBy} and {@link MailboxSnapshot#uidArray}: generated mailboxes and change batches
 * (seeded). The store's snapshots answer from the buckets they share; every way of asking must give the plain set
 * difference of their UIDs, and the UIDs in order.
 */
class SnapshotLackedByTest {
    @Test
    void whatALaterSnapshotLacksIsTheSetDifferenceHoweverItIsAsked() {
        Random rnd = new Random(9051);
        for (int round = 0; round < 2000; round++) {
            List<MessageState> msgs = new ArrayList<>();
            long uid = 0;
            int n = rnd.nextInt(4) == 0 ? rnd.nextInt(5) : rnd.nextInt(1500);
            for (int i = 0; i < n; i++) {
                uid += 1 + (rnd.nextInt(8) == 0 ? rnd.nextInt(400) : 0);
                msgs.add(new MessageState(uid, 10 + rnd.nextInt(10), Flags.EMPTY));
            }
            MailboxState old = MailboxState.of(1, 100, 1, msgs);
            Map<Long, Flags> upserts = new HashMap<>();
            UidSet.Builder gone = new UidSet.Builder();
            for (MessageState m : msgs) {
                int dice = rnd.nextInt(20);
                if (dice == 0) {
                    gone.add(m.uid());
                } else if (dice == 1) {
                    upserts.put(m.uid(), Flags.of("\\Seen"));
                }
            }
            if (rnd.nextInt(10) == 0 && uid > 10) {
                long lo = 1 + rnd.nextInt((int) uid);
                gone.addRange(lo, lo + rnd.nextInt(300)); // a range, as UID EXPUNGE 1:* sends
            }
            upserts.put(uid + 1 + rnd.nextInt(300), Flags.EMPTY); // a new message
            MailboxState next =
                    old.apply(new ChangeSet(upserts, gone.build()), 101).state();
            UidSet expected = old.uids().minus(next.uids());

            assertThat(old.lackedBy(next)).as("round %d, shared buckets", round).isEqualTo(expected);
            MailboxState rebuilt = MailboxState.of(1, 101, 1, new ArrayList<>(next.messages()));
            assertThat(old.lackedBy(rebuilt)).as("round %d, rebuilt", round).isEqualTo(expected);
            assertThat(old.lackedBy(foreign(next)))
                    .as("round %d, another kind", round)
                    .isEqualTo(expected);
            assertThat(foreign(old).lackedBy(next))
                    .as("round %d, the default", round)
                    .isEqualTo(expected);
            assertThat(next.lackedBy(next).isEmpty()).isTrue();
            // the numbering a session starts from: the same UIDs, ascending, however the snapshot was made
            long[] ascending =
                    next.messages().stream().mapToLong(MessageState::uid).toArray();
            assertThat(next.uidArray()).as("round %d, uidArray", round).containsExactly(ascending);
            assertThat(rebuilt.uidArray()).as("round %d, rebuilt", round).containsExactly(ascending);
            assertThat(foreign(next).uidArray())
                    .as("round %d, the default", round)
                    .containsExactly(ascending);
        }
    }

    /** A snapshot that is not the store's own kind: the interface's default is used. */
    private static MailboxSnapshot foreign(MailboxSnapshot s) {
        return new MailboxSnapshot() {
            @Override
            public long uidValidity() {
                return s.uidValidity();
            }

            @Override
            public long highestModSeq() {
                return s.highestModSeq();
            }

            @Override
            public long expungeHorizon() {
                return s.expungeHorizon();
            }

            @Override
            public int size() {
                return s.size();
            }

            @Override
            public Optional<MessageState> get(long uid) {
                return s.get(uid);
            }

            @Override
            public List<MessageState> messages() {
                return s.messages();
            }

            @Override
            public List<MessageState> changedSince(long m) {
                return s.changedSince(m);
            }

            @Override
            public UidSet uids() {
                return s.uids();
            }
        };
    }
}

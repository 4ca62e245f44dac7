package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.modseqproxy.state.testing.RedisServerExtension;
import org.modseqproxy.state.testing.RedisServerFixture;

/**
 * Redis losing only its LAST writes, as a Sentinel or Cluster failover does when the promoted replica had not received
 * them yet (replication is asynchronous). Emulated exactly: the mailbox's keys are copied aside (COPY), more changes
 * are made, then the copies are put back (COPY ... REPLACE) and the keys created meanwhile deleted. A store of
 * another instance then continues. RFC 7162 3.1: a new mod-sequence must be higher than any assigned before; DESIGN:
 * "Correctness never depends on Redis durability".
 */
class RedisRollbackTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    static final MailboxId BOX = new MailboxId("b1", "alice", "INBOX");
    static final long UV = 42;
    static final Flags SEEN = Flags.of("\\Seen");

    @BeforeEach
    void clean() {
        REDIS.server().flushAll();
    }

    private static ModSeqStore store() {
        ModSeqStore s = ModSeqStores.create(REDIS.server().uri(), StoreOptions.defaults().withNearCacheMaxMailboxes(0));
        Awaitility.await().atMost(5, TimeUnit.SECONDS).until(s::available);
        return s;
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> f) {
        try {
            return f.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> keys() throws Exception {
        List<String> out = new ArrayList<>();
        for (Object k : (List<Object>) REDIS.server().call("KEYS", "ms:{" + BOX.tag() + "}:*")) {
            out.add((String) k);
        }
        return out;
    }

    /** Copies every key of the mailbox aside; returns the names copied. */
    private static List<String> saveAside() throws Exception {
        List<String> saved = keys();
        for (String k : saved) {
            REDIS.server().call("COPY", k, "rollback:" + k, "REPLACE");
        }
        return saved;
    }

    /** Puts the copies back and removes keys that did not exist then: Redis as the lagging replica had it. */
    private static void rollBack(List<String> saved) throws Exception {
        RedisServerFixture redis = REDIS.server();
        for (String k : keys()) {
            if (!saved.contains(k)) {
                redis.call("DEL", k);
            }
        }
        for (String k : saved) {
            redis.call("COPY", "rollback:" + k, k, "REPLACE");
            redis.call("DEL", "rollback:" + k);
        }
    }

    @Test
    @Disabled("bug: after a failover that lost the last writes, HIGHESTMODSEQ goes back and the next changes reuse "
            + "mod-sequences already handed out (the counter is re-seeded from the clock only when absent)")
    void lostLastWritesNeverLowerHighestModSeqNorReuseModSeqs() throws Exception {
        long handedOut;
        List<String> saved;
        try (ModSeqStore a = store()) {
            await(a.sync(BOX, Listing.of(UV, new long[] {1, 2, 3}, new Flags[] {Flags.EMPTY, Flags.EMPTY, Flags.EMPTY})));
            await(a.apply(BOX, UV, ChangeSet.upsert(1, SEEN)));
            saved = saveAside();
            long m2 = await(a.apply(BOX, UV, ChangeSet.upsert(2, SEEN))).assignedModSeq();
            long m3 = await(a.apply(BOX, UV, new ChangeSet(Map.of(4L, SEEN), UidSet.of(3)))).assignedModSeq();
            assertThat(m3).isGreaterThan(m2);
            handedOut = m3; // clients have seen m2 and m3 (MODSEQ of the changes, HIGHESTMODSEQ, VANISHED)
        }
        rollBack(saved);
        try (ModSeqStore b = store()) {
            assertThat(await(b.highestModSeq(BOX, UV))).as("HIGHESTMODSEQ after the failover").isGreaterThan(handedOut);
            long next = await(b.apply(BOX, UV, ChangeSet.upsert(1, Flags.EMPTY))).assignedModSeq();
            assertThat(next).as("mod-sequence of the first change after the failover").isGreaterThan(handedOut);
        }
    }

    /** What holds today: losing the whole mailbox (absent counter) restarts above every earlier value. */
    @Test
    void lostWholeMailboxRestartsAboveEverything() throws Exception {
        long handedOut;
        try (ModSeqStore a = store()) {
            await(a.sync(BOX, Listing.of(UV, new long[] {1, 2}, new Flags[] {Flags.EMPTY, Flags.EMPTY})));
            handedOut = await(a.apply(BOX, UV, ChangeSet.upsert(2, SEEN))).assignedModSeq();
        }
        for (String k : keys()) {
            REDIS.server().call("DEL", k);
        }
        try (ModSeqStore b = store()) {
            assertThat(await(b.highestModSeq(BOX, UV))).isGreaterThan(handedOut);
        }
    }
}

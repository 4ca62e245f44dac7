package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.modseqproxy.state.testing.RedisServerExtension;
import org.modseqproxy.state.testing.RedisServerFixture;

/**
 * Redis memory per message (DESIGN.md target: at most 40 bytes), measured with MEMORY USAGE ... SAMPLES 0 over
 * every key of a 10 000-message mailbox with realistic flags. Prints the figure; fails above the target.
 */
@Tag("bench")
class RedisMemoryBenchTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void bytesPerMessageFor10000Messages() throws Exception {
        RedisServerFixture redis = REDIS.server();
        Random rnd = new Random(10_000);
        Flags[] common = {
            Flags.of("\\Seen"),
            Flags.EMPTY,
            Flags.of("\\Seen", "\\Answered"),
            Flags.of("\\Seen", "$NotJunk"),
            Flags.of("\\Flagged", "\\Seen"),
            Flags.of("\\Deleted", "\\Seen")
        };
        TreeMap<Long, Flags> msgs = new TreeMap<>();
        long uid = 0;
        for (int i = 0; i < 10_000; i++) {
            uid += rnd.nextInt(10) == 0 ? 2 + rnd.nextInt(3) : 1; // some holes, like a real mailbox
            msgs.put(uid, common[rnd.nextInt(10) < 7 ? 0 : rnd.nextInt(common.length)]);
        }
        MailboxId box = new MailboxId("b1", "alice@example.com", "INBOX");
        try (ModSeqStore store = ModSeqStores.create(redis.uri(), StoreOptions.defaults())) {
            org.awaitility.Awaitility.await().atMost(30, TimeUnit.SECONDS).until(store::available);
            store.sync(box, ModSeqStoreContract.PropertyListings.of(42, uid + 1, msgs))
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            // a few later change batches and expunges, so values carry real deltas and the log has entries
            for (int b = 0; b < 50; b++) {
                long u = msgs.keySet().stream()
                        .skip(rnd.nextInt(msgs.size()))
                        .findFirst()
                        .orElseThrow();
                store.apply(
                                box,
                                42,
                                new ChangeSet(
                                        java.util.Map.of(u, Flags.of("\\Seen", "\\Flagged")),
                                        b % 5 == 0 ? UidSet.of(u + 1) : UidSet.empty()))
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
            }
            int n = store.load(box, 42)
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)
                    .orElseThrow()
                    .size();

            @SuppressWarnings("unchecked")
            List<Object> keys = (List<Object>) redis.call("KEYS", "ms:{" + box.tag() + "}:*");
            long total = 0;
            for (Object k : keys) {
                total += (Long) redis.call("MEMORY", "USAGE", (String) k, "SAMPLES", "0");
            }
            String version = ((String) redis.call("INFO", "server"))
                    .lines()
                    .filter(l -> l.startsWith("redis_version:"))
                    .findFirst()
                    .orElse("?");
            double perMessage = (double) total / n;
            System.out.printf(
                    "BENCH redis memory: %d keys, %d bytes for %d messages = %.1f bytes/message (%s, %s)%n",
                    keys.size(), total, n, perMessage, version, redis.binary());
            assertThat(perMessage).isLessThanOrEqualTo(40.0);
        }
    }

    /** Worst-ish layout: one message every 20 uids (an old mailbox after heavy expunging). Printed, loosely bounded. */
    @Test
    void bytesPerMessageForASparseMailbox() throws Exception {
        RedisServerFixture redis = REDIS.server();
        TreeMap<Long, Flags> msgs = new TreeMap<>();
        for (long i = 1; i <= 10_000; i++) {
            msgs.put(i * 20, Flags.of("\\Seen"));
        }
        MailboxId box = new MailboxId("b1", "alice@example.com", "Archive");
        try (ModSeqStore store = ModSeqStores.create(redis.uri(), StoreOptions.defaults())) {
            org.awaitility.Awaitility.await().atMost(30, TimeUnit.SECONDS).until(store::available);
            store.sync(box, ModSeqStoreContract.PropertyListings.of(42, 200_001, msgs))
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            long total = memoryOf(redis, box);
            System.out.printf("BENCH redis memory, sparse (1 uid in 20): %.1f bytes/message%n", total / 10_000.0);
            assertThat(total / 10_000.0).isLessThanOrEqualTo(60.0);
        }
    }

    /** Timings of a 100 000-message first sync, a no-op resync and a cold load (printed; results checked). */
    @Test
    void largeMailboxTimings() throws Exception {
        RedisServerFixture redis = REDIS.server();
        TreeMap<Long, Flags> msgs = new TreeMap<>();
        for (long i = 1; i <= 100_000; i++) {
            msgs.put(i, i % 3 == 0 ? Flags.EMPTY : Flags.of("\\Seen"));
        }
        MailboxId box = new MailboxId("b1", "alice@example.com", "Big");
        Listing listing = ModSeqStoreContract.PropertyListings.of(42, 100_001, msgs);
        StoreOptions opts = StoreOptions.defaults(); // default 1 s timeout: big batches get more (ScaledTimeout)
        redis.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
        try (ModSeqStore store = ModSeqStores.create(redis.uri(), opts);
                ModSeqStore cold = ModSeqStores.create(redis.uri(), opts)) {
            org.awaitility.Awaitility.await()
                    .atMost(30, TimeUnit.SECONDS)
                    .until(() -> store.available() && cold.available());
            long t0 = System.nanoTime();
            SyncResult first = store.sync(box, listing).toCompletableFuture().get(60, TimeUnit.SECONDS);
            long t1 = System.nanoTime();
            SyncResult again = store.sync(box, listing).toCompletableFuture().get(60, TimeUnit.SECONDS);
            long t2 = System.nanoTime();
            MailboxSnapshot loaded = cold.load(box, 42)
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS)
                    .orElseThrow();
            long t3 = System.nanoTime();
            MailboxId box2 = new MailboxId("b1", "alice@example.com", "Big2");
            long t4 = System.nanoTime();
            SyncResult warm = store.sync(box2, listing).toCompletableFuture().get(60, TimeUnit.SECONDS);
            System.out.printf(
                    "BENCH 100k messages: warm first sync of another mailbox %d ms%n",
                    (System.nanoTime() - t4) / 1_000_000);
            assertThat(warm.added().size()).isEqualTo(100_000);
            assertThat(first.added().size()).isEqualTo(100_000);
            assertThat(again.assignedModSeq()).isZero();
            assertThat(loaded.size()).isEqualTo(100_000);
            System.out.printf(
                    "BENCH 100k messages: first sync %d ms, no-op resync %d ms, cold load %d ms, %.1f bytes/message%n",
                    (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000,
                    (t3 - t2) / 1_000_000,
                    memoryOf(redis, box) / 100_000.0);
            @SuppressWarnings("unchecked")
            List<Object> slow = (List<Object>) redis.call("SLOWLOG", "GET", "10");
            for (Object e : slow) {
                List<?> entry = (List<?>) e;
                List<?> cmd = (List<?>) entry.get(3);
                System.out.printf(
                        "BENCH slowlog: %d us %s %s%n", entry.get(2), cmd.get(0), cmd.size() > 1 ? cmd.get(1) : "");
            }
        }
    }

    private static long memoryOf(RedisServerFixture redis, MailboxId box) throws Exception {
        @SuppressWarnings("unchecked")
        List<Object> keys = (List<Object>) redis.call("KEYS", "ms:{" + box.tag() + "}:*");
        long total = 0;
        for (Object k : keys) {
            total += (Long) redis.call("MEMORY", "USAGE", (String) k, "SAMPLES", "0");
        }
        return total;
    }
}

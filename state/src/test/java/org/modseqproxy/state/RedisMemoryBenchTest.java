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
        Flags[] common = {Flags.of("\\Seen"), Flags.EMPTY, Flags.of("\\Seen", "\\Answered"),
            Flags.of("\\Seen", "$NotJunk"), Flags.of("\\Flagged", "\\Seen"), Flags.of("\\Deleted", "\\Seen")};
        TreeMap<Long, Flags> msgs = new TreeMap<>();
        long uid = 0;
        for (int i = 0; i < 10_000; i++) {
            uid += rnd.nextInt(10) == 0 ? 2 + rnd.nextInt(3) : 1; // some holes, like a real mailbox
            msgs.put(uid, common[rnd.nextInt(10) < 7 ? 0 : rnd.nextInt(common.length)]);
        }
        MailboxId box = new MailboxId("b1", "alice@example.com", "INBOX");
        try (ModSeqStore store = ModSeqStores.create(redis.uri(), StoreOptions.defaults())) {
            org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(store::available);
            store.sync(box, ModSeqStoreContract.PropertyListings.of(42, uid + 1, msgs))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            // a few later change batches and expunges, so values carry real deltas and the log has entries
            for (int b = 0; b < 50; b++) {
                long u = msgs.keySet().stream().skip(rnd.nextInt(msgs.size())).findFirst().orElseThrow();
                store.apply(box, 42, new ChangeSet(java.util.Map.of(u, Flags.of("\\Seen", "\\Flagged")),
                        b % 5 == 0 ? UidSet.of(u + 1) : UidSet.empty())).toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            int n = store.load(box, 42).toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow().size();

            @SuppressWarnings("unchecked")
            List<Object> keys = (List<Object>) redis.call("KEYS", "ms:{" + box.tag() + "}:*");
            long total = 0;
            for (Object k : keys) {
                total += (Long) redis.call("MEMORY", "USAGE", (String) k, "SAMPLES", "0");
            }
            String version = ((String) redis.call("INFO", "server")).lines()
                    .filter(l -> l.startsWith("redis_version:")).findFirst().orElse("?");
            double perMessage = (double) total / n;
            System.out.printf("BENCH redis memory: %d keys, %d bytes for %d messages = %.1f bytes/message (%s, %s)%n",
                    keys.size(), total, n, perMessage, version, redis.binary());
            assertThat(perMessage).isLessThanOrEqualTo(40.0);
        }
    }
}

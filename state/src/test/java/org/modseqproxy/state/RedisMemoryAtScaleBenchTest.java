package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.modseqproxy.state.testing.RedisServerExtension;
import org.modseqproxy.state.testing.RedisServerFixture;

/**
 * Issue 5 figure: Redis memory per message and per mailbox, and keys per mailbox, for 1,000 mailboxes of 1,000
 * messages, driven through the store API (no IMAP). Each mailbox gets a first sync with realistic flags and UID holes,
 * then 5 witnessed change batches (one of them expunging), so packed values carry real deltas and the expunge log
 * has entries. Measured two ways: INFO used_memory before/after (everything Redis spends, including its dictionaries
 * and expiry entries: keys have the default 30-day TTL) and MEMORY USAGE ... SAMPLES 0 over every key of 20 sampled
 * mailboxes. Run with:
 * <pre>
 * mvn -o -q -pl state test -Dbench -Dtest=RedisMemoryAtScaleBenchTest -Dmodseq.bench=true -Dsurefire.failIfNoSpecifiedTests=false
 * (add -Dmodseq.redis.server=embedded for the Redis 6.2 binary); figures: BENCH lines in
 * state/target/surefire-reports/org.modseqproxy.state.RedisMemoryAtScaleBenchTest-output.txt
 * </pre>
 */
@Tag("bench")
@EnabledIfSystemProperty(named = "modseq.bench", matches = "true")
class RedisMemoryAtScaleBenchTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    static final int MAILBOXES = Integer.getInteger("modseq.bench.mailboxes", 1000);
    static final int MESSAGES = Integer.getInteger("modseq.bench.messages", 1000);

    @Test
    void memoryAndKeysFor1000MailboxesOf1000Messages() throws Exception {
        RedisServerFixture redis = REDIS.server();
        redis.flushAll();
        long usedBefore = usedMemory(redis);
        Flags[] common = {
            Flags.of("\\Seen"),
            Flags.EMPTY,
            Flags.of("\\Seen", "\\Answered"),
            Flags.of("\\Seen", "$NotJunk"),
            Flags.of("\\Flagged", "\\Seen"),
            Flags.of("\\Seen", "$Forwarded")
        };
        Random rnd = new Random(1000);
        long t0 = System.nanoTime();
        long messages = 0;
        try (ModSeqStore store =
                ModSeqStores.create(redis.uri(), StoreOptions.defaults().withNearCacheMaxMailboxes(0))) {
            org.awaitility.Awaitility.await().atMost(30, TimeUnit.SECONDS).until(store::available);
            List<CompletableFuture<?>> inFlight = new ArrayList<>();
            for (int b = 0; b < MAILBOXES; b++) {
                MailboxId box =
                        new MailboxId("b1", "user" + (b / 10) + "@example.com", b % 10 == 0 ? "INBOX" : "Folder" + b);
                TreeMap<Long, Flags> msgs = new TreeMap<>();
                long uid = 0;
                for (int i = 0; i < MESSAGES; i++) {
                    uid += rnd.nextInt(10) == 0 ? 2 + rnd.nextInt(3) : 1;
                    msgs.put(uid, common[rnd.nextInt(10) < 7 ? 0 : rnd.nextInt(common.length)]);
                }
                List<Long> uids = new ArrayList<>(msgs.keySet());
                long uidNext = uid + 1;
                CompletableFuture<?> f = store.sync(box, ModSeqStoreContract.PropertyListings.of(7, uidNext, msgs))
                        .toCompletableFuture();
                for (int k = 0; k < 5; k++) {
                    long u = uids.get(rnd.nextInt(uids.size()));
                    ChangeSet c = new ChangeSet(
                            Map.of(u, Flags.of("\\Seen", "\\Flagged")),
                            k == 2 ? UidSet.of(uids.get(rnd.nextInt(uids.size()))) : UidSet.empty());
                    f = f.thenCompose(x -> store.apply(box, 7, c).toCompletableFuture());
                }
                inFlight.add(f);
                messages += MESSAGES;
                if (inFlight.size() >= 16) {
                    CompletableFuture.allOf(inFlight.toArray(new CompletableFuture[0]))
                            .get(120, TimeUnit.SECONDS);
                    inFlight.clear();
                }
            }
            CompletableFuture.allOf(inFlight.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
        }
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        long usedAfter = usedMemory(redis);
        long keys = (Long) redis.call("DBSIZE");
        long delta = usedAfter - usedBefore;

        // MEMORY USAGE over every key of 20 mailboxes
        long sampled = 0;
        int sampledBoxes = 0;
        long sampledKeys = 0;
        for (int b = 0; b < MAILBOXES; b += Math.max(1, MAILBOXES / 20)) {
            MailboxId box =
                    new MailboxId("b1", "user" + (b / 10) + "@example.com", b % 10 == 0 ? "INBOX" : "Folder" + b);
            @SuppressWarnings("unchecked")
            List<Object> ks = (List<Object>) redis.call("KEYS", "ms:{" + box.tag() + "}:*");
            for (Object k : ks) {
                sampled += (Long) redis.call("MEMORY", "USAGE", (String) k, "SAMPLES", "0");
            }
            sampledKeys += ks.size();
            sampledBoxes++;
        }
        String version = ((String) redis.call("INFO", "server"))
                .lines()
                .filter(l -> l.startsWith("redis_version:"))
                .findFirst()
                .orElse("?");
        System.out.printf(
                "BENCH scale: %d mailboxes x %d messages (%d messages, ~%d expunged) stored in %d s (%s, %s)%n",
                MAILBOXES, MESSAGES, messages, MAILBOXES, seconds, version, redis.binary());
        System.out.printf(
                "BENCH scale: INFO used_memory grew %d bytes = %.1f bytes/message, %.0f bytes/mailbox%n",
                delta, (double) delta / messages, (double) delta / MAILBOXES);
        System.out.printf("BENCH scale: DBSIZE %d = %.2f keys/mailbox%n", keys, (double) keys / MAILBOXES);
        System.out.printf(
                "BENCH scale: MEMORY USAGE over %d sampled mailboxes (%d keys): %.0f bytes/mailbox = %.1f bytes/message%n",
                sampledBoxes, sampledKeys, (double) sampled / sampledBoxes, (double) sampled / sampledBoxes / MESSAGES);
        assertThat(keys).isGreaterThanOrEqualTo(4L * MAILBOXES);
        assertThat((double) delta / messages).isLessThan(60.0);
    }

    private static long usedMemory(RedisServerFixture redis) throws Exception {
        String info = (String) redis.call("INFO", "memory");
        return info.lines()
                .filter(l -> l.startsWith("used_memory:"))
                .mapToLong(l -> Long.parseLong(l.substring(12).trim()))
                .findFirst()
                .orElseThrow();
    }
}

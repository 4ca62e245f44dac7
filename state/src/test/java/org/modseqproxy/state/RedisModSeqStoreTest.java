package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modseqproxy.state.impl.RedisModSeqStore;
import org.modseqproxy.state.testing.RedisServerExtension;
import org.modseqproxy.state.testing.RedisServerFixture;

/** The contract against a real redis-server, plus what only Redis has: outages, TTLs, sharing, encoding. */
class RedisModSeqStoreTest extends ModSeqStoreContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    protected StoreOptions options() {
        return StoreOptions.defaults()
                .withCommandTimeout(Duration.ofSeconds(1))
                .withCircuitRetryDelay(Duration.ofMillis(200));
    }

    @Override
    protected ModSeqStore newStore(StoreOptions opts) {
        RedisServerFixture redis = REDIS.server();
        if (!redis.isRunning()) {
            redis.restart();
        }
        ModSeqStore s = ModSeqStores.create(redis.uri(), opts);
        Awaitility.await().atMost(30, TimeUnit.SECONDS).until(s::available);
        return s;
    }

    @Override
    protected void loseAllData() {
        REDIS.server().flushAll();
    }

    @Override
    protected boolean instancesShareState() {
        return true;
    }

    private String key(String suffix) {
        return "ms:{" + box.tag() + "}:" + suffix;
    }

    @Test
    void redisDownFailsFastAndRecoversAboveOldCounter() {
        RedisServerFixture redis = REDIS.server();
        await(store.sync(box, listing(UV, 3, 1, SEEN, 2, NONE)));
        long before = await(store.bump(box, UV));

        redis.stop();
        Duration took = timed(() -> assertThatThrownBy(
                        () -> store.highestModSeq(box, UV).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StoreUnavailableException.class));
        assertThat(took).isLessThan(Duration.ofSeconds(3));
        Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> !store.available());
        // while open, calls fail immediately
        Duration open = timed(() -> assertThatThrownBy(
                        () -> store.load(box, UV).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(StoreUnavailableException.class));
        assertThat(open).isLessThan(Duration.ofMillis(500));

        redis.restart(); // same port, data lost
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(store::available);
        long after = await(store.highestModSeq(box, UV));
        assertThat(after).isGreaterThan(before);
        SyncResult r = await(store.sync(box, listing(UV, 3, 1, SEEN, 2, NONE)));
        assertThat(r.added()).isEqualTo(UidSet.of(1, 2));
        assertThat(r.assignedModSeq()).isEqualTo(after + 1);
    }

    @Test
    void storeCreatedWhileRedisIsDownComesUpLater() {
        RedisServerFixture redis = REDIS.server();
        redis.stop();
        try (ModSeqStore s = ModSeqStores.create(redis.uri(), options())) {
            Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> !s.available());
            redis.restart();
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(s::available);
            assertThat(await(s.highestModSeq(box, UV))).isPositive();
        }
    }

    @Test
    void nearCacheSeesChangesMadeByAnotherInstance() {
        ModSeqStore other = extraStore(options());
        SyncResult first = await(store.sync(box, listing(UV, 3, 1, NONE, 2, NONE)));
        assertThat(await(store.load(box, UV)).orElseThrow().highestModSeq()).isEqualTo(first.assignedModSeq());
        SyncResult theirs = await(other.apply(box, UV, new ChangeSet(Map.of(1L, SEEN), UidSet.of(2))));
        MailboxSnapshot mine = await(store.load(box, UV)).orElseThrow();
        assertThat(mine.highestModSeq()).isEqualTo(theirs.assignedModSeq());
        assertThat(mine.uids()).isEqualTo(UidSet.of(1));
        assertThat(mine.get(1).orElseThrow().flags()).isEqualTo(SEEN);
        // and our next sync diffs against the fresh state: nothing to do
        assertThat(await(store.sync(box, listing(UV, 3, 1, SEEN))).assignedModSeq())
                .isZero();
    }

    @Test
    void nearCacheServesRepeatedLoadsAndOwnWritesWithoutFullReads() {
        RedisModSeqStore redisStore = (RedisModSeqStore) store;
        ModSeqStore other = extraStore(options());
        await(store.sync(box, listing(UV, 4, 1, NONE, 2, NONE, 3, NONE)));
        long loads = redisStore.fullLoads();
        long hits = redisStore.nearCacheHits();
        await(store.load(box, UV));
        await(store.apply(box, UV, ChangeSet.upsert(2, SEEN)));
        await(store.sync(box, listing(UV, 4, 1, NONE, 2, SEEN)));
        MailboxSnapshot s = await(store.load(box, UV)).orElseThrow();
        assertThat(s.uids()).isEqualTo(UidSet.of(1, 2));
        assertThat(redisStore.fullLoads()).isEqualTo(loads);
        assertThat(redisStore.nearCacheHits()).isEqualTo(hits + 3);
        await(other.bump(box, UV));
        assertThat(await(store.load(box, UV)).orElseThrow().highestModSeq()).isEqualTo(s.highestModSeq() + 1);
        assertThat(redisStore.fullLoads()).isEqualTo(loads + 1);
    }

    @Test
    void keysShareOneHashTagAndExpireWhenIdle() throws Exception {
        RedisServerFixture redis = REDIS.server();
        store.close();
        store = newStore(options().withIdleMailboxTtl(Duration.ofSeconds(100)));
        await(store.sync(box, listing(UV, 300, 1, SEEN, 2, NONE, 200, FLAGGED)));
        await(store.apply(box, UV, ChangeSet.expunge(UidSet.of(2))));
        @SuppressWarnings("unchecked")
        List<Object> keys = (List<Object>) redis.call("KEYS", "ms:{" + box.tag() + "}:*");
        assertThat(keys).containsExactlyInAnyOrder(key("m"), key("f"), key("k"), key("x"), key("b:0"), key("b:1"));
        for (Object k : keys) {
            long pttl = (Long) redis.call("PTTL", (String) k);
            assertThat(pttl).as("%s", k).isBetween(90_000L, 100_000L);
        }
        redis.call("PEXPIRE", key("m"), "1000"); // well under half the TTL: the next call refreshes everything
        await(store.load(box, UV));
        assertThat((Long) redis.call("PTTL", key("m"))).isGreaterThan(90_000L);

        MailboxId forever = new MailboxId("b1", "bob", "INBOX");
        ModSeqStore noTtl = extraStore(options().withIdleMailboxTtl(Duration.ZERO));
        await(noTtl.sync(forever, listing(UV, 2, 1, SEEN)));
        assertThat((Long) redis.call("PTTL", "ms:{" + forever.tag() + "}:m")).isEqualTo(-1L);
        await(noTtl.delete(forever));
    }

    /** Keys expire one by one: a bucket outliving its meta/index keys must not leak into the next state. */
    @Test
    void leftoverBucketKeysOfExpiredStateAreIgnored() throws Exception {
        RedisServerFixture redis = REDIS.server();
        await(store.sync(box, listing(UV, 4, 1, SEEN, 2, SEEN, 3, SEEN)));
        redis.call("DEL", key("m"), key("k"), key("f"));
        assertThat(redis.call("EXISTS", key("b:0"))).isEqualTo(1L);
        ModSeqStore cold = extraStore(options());
        SyncResult r = await(cold.sync(box, listing(UV, 4, 2, NONE)));
        assertThat(r.added()).isEqualTo(UidSet.of(2));
        assertThat(r.snapshot().uids()).isEqualTo(UidSet.of(2));
        assertThat(await(extraStore(options()).load(box, UV)).orElseThrow().messages())
                .containsExactly(new MessageState(2, r.assignedModSeq(), NONE));
    }

    /**
     * Memory pressure evicts single keys (maxmemory-policy volatile-* / allkeys-*). A mailbox that lost its flag sets,
     * its bucket index or its expunge log is never served half: it counts as lost and restarts above every earlier
     * mod-sequence; in particular a client never gets an empty VANISHED for expunges the lost log held.
     */
    @ParameterizedTest
    @ValueSource(strings = {"f", "k", "x"})
    void aMailboxMissingAnEvictedKeyIsTreatedAsLost(String evicted) throws Exception {
        RedisServerFixture redis = REDIS.server();
        long m1 = await(store.sync(box, listing(UV, 4, 1, SEEN, 2, NONE, 3, FLAGGED)))
                .assignedModSeq();
        long m2 = await(store.apply(box, UV, ChangeSet.expunge(UidSet.of(2)))).assignedModSeq();
        assertThat(await(store.vanishedSince(box, UV, m1))).isEqualTo(new Vanished.Exact(UidSet.of(2)));
        assertThat((Long) redis.call("DEL", key(evicted))).isEqualTo(1L);
        for (ModSeqStore s : List.of(store, extraStore(options()))) { // near-cached and cold
            assertThat(await(s.vanishedSince(box, UV, m1))).isInstanceOf(Vanished.BelowHorizon.class);
            assertThat(await(s.load(box, UV))).isEmpty();
        }
        SyncResult r = await(store.sync(box, listing(UV, 4, 1, SEEN, 3, FLAGGED)));
        assertThat(r.added()).isEqualTo(UidSet.of(1, 3));
        assertThat(r.assignedModSeq()).isGreaterThan(m2);
        assertThat(r.snapshot().expungeHorizon()).isGreaterThanOrEqualTo(m2);
    }

    /** The markers never show: an emptied mailbox keeps its index, and loads stay exact. */
    @Test
    void expungingEverythingKeepsTheStateIntact() throws Exception {
        long m1 = await(store.sync(box, listing(UV, 3, 1, SEEN, 2, NONE))).assignedModSeq();
        long m2 =
                await(store.apply(box, UV, ChangeSet.expunge(UidSet.of(1, 2)))).assignedModSeq();
        ModSeqStore cold = extraStore(options());
        MailboxSnapshot empty = await(cold.load(box, UV)).orElseThrow();
        assertThat(empty.size()).isZero();
        assertThat(empty.highestModSeq()).isEqualTo(m2);
        assertThat(await(cold.vanishedSince(box, UV, m1))).isEqualTo(new Vanished.Exact(UidSet.of(1, 2)));
    }

    @Test
    void mailboxIdTagNeverContainsBraces() {
        MailboxId odd = new MailboxId("b{1}", "a:l%ce", "IN}BOX{x");
        assertThat(odd.tag()).doesNotContain("{", "}").isEqualTo("b%7B1%7D:a%3Al%25ce:IN%7DBOX%7Bx");
        SyncResult r = await(store.sync(odd, listing(UV, 2, 1, SEEN)));
        assertThat(await(store.load(odd, UV)).orElseThrow().messages())
                .isEqualTo(r.snapshot().messages());
    }

    /** More than 4096 distinct flag sets in one mailbox switch to the "delta.id" encoding; both must round-trip. */
    @Test
    void manyDistinctFlagSetsRoundTrip() {
        TreeMap<Long, Flags> m = new TreeMap<>();
        for (long u = 1; u <= 4200; u++) {
            m.put(u, Flags.of("\\Seen", "kw" + u));
        }
        SyncResult r = await(store.sync(box, PropertyListings.of(UV, 4201, m)));
        assertThat(r.added().size()).isEqualTo(4200);
        ModSeqStore cold = extraStore(options());
        MailboxSnapshot loaded = await(cold.load(box, UV)).orElseThrow();
        assertThat(loaded.messages()).isEqualTo(r.snapshot().messages());
        assertThat(loaded.get(4200).orElseThrow().flags()).isEqualTo(Flags.of("\\Seen", "kw4200"));
        SyncResult again = await(cold.sync(box, PropertyListings.of(UV, 4201, m)));
        assertThat(again.assignedModSeq()).isZero();
    }

    @Test
    void offSpecGivesADisabledStore() {
        try (ModSeqStore off = ModSeqStores.create("off", StoreOptions.defaults())) {
            assertThat(off.available()).isFalse();
            assertThat(ModSeqStores.isOff(off)).isTrue();
            assertThatThrownBy(() ->
                            off.highestModSeq(box, UV).toCompletableFuture().get())
                    .hasCauseInstanceOf(StoreUnavailableException.class);
        }
    }
}

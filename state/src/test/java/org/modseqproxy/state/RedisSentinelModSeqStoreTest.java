package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.modseqproxy.state.testing.RedisSentinelFixture;

/**
 * The store on a Sentinel-managed Redis ({@code redis-sentinel://s1,s2,s3#modseq}, Lettuce's own Sentinel support):
 * the whole contract, then what only Sentinel brings: a master SIGKILLed and a replica promoted while a store is in
 * use, and data-node passwords given in the URI.
 */
class RedisSentinelModSeqStoreTest extends ModSeqStoreContract {

    private static RedisSentinelFixture sentinel;

    @BeforeAll
    static void startSentinel() {
        sentinel = RedisSentinelFixture.start();
    }

    @AfterAll
    static void stopSentinel() {
        if (sentinel != null) {
            sentinel.close();
        }
    }

    @Override
    protected StoreOptions options() {
        return StoreOptions.defaults()
                .withCommandTimeout(Duration.ofSeconds(1))
                .withCircuitRetryDelay(Duration.ofMillis(200));
    }

    @Override
    protected ModSeqStore newStore(StoreOptions opts) {
        return openAndWait(sentinel.uri(), opts);
    }

    private static ModSeqStore openAndWait(String uri, StoreOptions opts) {
        ModSeqStore s = ModSeqStores.create(uri, opts);
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(s::available);
        return s;
    }

    @Override
    protected void loseAllData() {
        try {
            sentinel.callDataNode(sentinel.masterPort(), "FLUSHALL");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    protected boolean instancesShareState() {
        return true;
    }

    /**
     * Issue 5, "Sentinel failover: no error reaches a client beyond a NOMODSEQ/slower resync during the switch". At
     * the store's level: during the switch calls fail fast with StoreUnavailableException (the proxy turns that into
     * NOMODSEQ), then the same store, not reconfigured, works against the promoted replica and nothing handed out
     * before the kill is handed out again. The promoted replica starts a new replication history, so the state it
     * holds counts as lost (common.lua history(): it may lack the last writes) and restarts above the old one.
     */
    @Test
    void masterKilledStoreFailsFastThenFollowsThePromotedReplica() throws Exception {
        try (RedisSentinelFixture s = RedisSentinelFixture.start();
                ModSeqStore st = openAndWait(s.uri(), options())) {
            SyncResult first = await(st.sync(box, listing(UV, 4, 1, SEEN, 2, NONE, 3, NONE)));
            SyncResult second = await(st.apply(box, UV, new ChangeSet(Map.of(2L, FLAGGED), UidSet.of(3))));
            long before = await(st.bump(box, UV));
            assertThat(before).isEqualTo(second.assignedModSeq() + 1).isGreaterThan(first.assignedModSeq());
            MailboxSnapshot snapshotBefore = await(st.load(box, UV)).orElseThrow();

            // Replication is asynchronous: the replica gets everything before the kill here, and the state is dropped
            // all the same: nothing in it could prove that. Losing un-replicated writes is RedisRollbackTest's subject.
            int oldMaster = s.masterPort();
            assertThat((Long) s.callDataNode(oldMaster, "WAIT", "1", "1000")).isEqualTo(1L);

            s.killMaster();
            long t0 = System.nanoTime();
            Duration firstFailure = timed(() -> assertThatThrownBy(() ->
                            st.highestModSeq(box, UV).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(StoreUnavailableException.class));
            assertThat(firstFailure).isLessThan(Duration.ofSeconds(3));
            assertThat(st.available()).isFalse();
            // while the circuit is open, calls fail at once instead of waiting for a timeout each
            Duration open = timed(() -> assertThatThrownBy(
                            () -> st.load(box, UV).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(StoreUnavailableException.class));
            assertThat(open).isLessThan(Duration.ofMillis(500));

            int newMaster = s.awaitFailover(Duration.ofSeconds(30));
            assertThat(newMaster).isNotEqualTo(oldMaster);
            long promotedMs = (System.nanoTime() - t0) / 1_000_000;
            Awaitility.await()
                    .atMost(15, TimeUnit.SECONDS)
                    .pollInterval(Duration.ofMillis(20))
                    .until(st::available);
            long h = await(st.highestModSeq(box, UV));
            long backMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf(
                    "SENTINEL failover: port %d -> %d; sentinels agree after %d ms, first store call OK"
                            + " after %d ms%n",
                    oldMaster, newMaster, promotedMs, backMs);

            // the old history's state is not trusted: a fuller resync, above everything handed out (RFC 7162 3.1)
            assertThat(snapshotBefore.messages()).isNotEmpty();
            assertThat(h).isGreaterThan(before);
            assertThat(await(st.load(box, UV)).orElseThrow().messages()).isEmpty();
            SyncResult after = await(st.sync(box, listing(UV, 4, 1, SEEN, 2, FLAGGED)));
            assertThat(after.added()).isEqualTo(UidSet.of(1, 2));
            assertThat(after.assignedModSeq()).isGreaterThan(h);
            assertThat(s.callDataNode(newMaster, "EXISTS", "ms:{" + box.tag() + "}:m"))
                    .isEqualTo(1L);
        }
    }

    /**
     * A master demoted while alive (SENTINEL FAILOVER; the same happens when a partitioned old master comes back):
     * the store's connection sits on a node that now answers writes with READONLY. Sentinel kills the normal clients
     * of a node it reconfigures (CLIENT KILL TYPE normal), Lettuce reconnects and asks the sentinels again: the next
     * writes go to the new master, without reconfiguring the store.
     */
    @Test
    void demotedMasterDropsTheStoreWhichReconnectsToTheNewOne() throws Exception {
        await(store.sync(box, listing(UV, 3, 1, SEEN, 2, NONE)));
        long before = await(store.bump(box, UV));
        int oldMaster = sentinel.masterPort();
        assertThat((Long) sentinel.callDataNode(oldMaster, "WAIT", "1", "1000")).isEqualTo(1L);

        sentinel.manualFailover();
        int newMaster = sentinel.awaitFailover(Duration.ofSeconds(30));
        assertThat(newMaster).isNotEqualTo(oldMaster);
        assertThat((String) sentinel.callDataNode(oldMaster, "INFO", "replication"))
                .contains("role:slave");

        // a write, not a read: a connection left on the demoted node would fail with READONLY forever
        SyncResult r = Awaitility.await()
                .atMost(15, TimeUnit.SECONDS)
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptions()
                .until(
                        () -> store.apply(box, UV, ChangeSet.upsert(2, FLAGGED))
                                .toCompletableFuture()
                                .get(30, TimeUnit.SECONDS),
                        x -> true);
        // a new replication history: the state restarted above the old one (see the test above)
        assertThat(r.assignedModSeq()).isGreaterThan(before);
        assertThat(sentinel.callDataNode(newMaster, "HGET", "ms:{" + box.tag() + "}:m", "hms"))
                .isEqualTo(Long.toString(r.assignedModSeq()));
    }

    /**
     * Lettuce asks the sentinels in URI order. A dead one (connection refused) is skipped at once; a hung one (the
     * kernel accepts, nobody answers: a stopped process) must cost at most the command timeout, not RedisURI's 60 s
     * default, or every reconnect during a failover would wait a minute on it.
     */
    @Test
    void deadAndHungSentinelsFirstInTheUriCostAtMostTheCommandTimeout() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String uri = sentinel.uri()
                    .replace(
                            "redis-sentinel://",
                            "redis-sentinel://127.0.0.1:" + dead + ",127.0.0.1:" + hung.getLocalPort() + ",");
            long t0 = System.nanoTime();
            try (ModSeqStore st = ModSeqStores.create(uri, options())) {
                long h = Awaitility.await()
                        .atMost(20, TimeUnit.SECONDS)
                        .pollInterval(Duration.ofMillis(20))
                        .ignoreExceptions()
                        .until(
                                () -> st.highestModSeq(box, UV)
                                        .toCompletableFuture()
                                        .get(30, TimeUnit.SECONDS),
                                hms -> hms > 0);
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(h).isEqualTo(await(store.highestModSeq(box, UV)));
                assertThat(took).isLessThan(Duration.ofSeconds(5)); // 1 s timeout on the hung one, plus retries
            }
        }
    }

    /**
     * {@code redis-sentinel://:pw@s1,s2,s3#modseq}: Lettuce applies the URI's password to the data nodes (found through
     * the sentinels, which have none here). A wrong password must not pass for a working store.
     */
    @Test
    void passwordInTheUriAuthenticatesTheDataNodes() throws Exception {
        try (RedisSentinelFixture s = RedisSentinelFixture.start(1, "s3cret")) {
            assertThat(s.uri())
                    .startsWith("redis-sentinel://:s3cret@127.0.0.1:")
                    .endsWith("#modseq");
            try (ModSeqStore st = openAndWait(s.uri(), options())) {
                SyncResult r = await(st.sync(box, listing(UV, 3, 1, SEEN, 2, NONE)));
                assertThat(r.added()).isEqualTo(UidSet.of(1, 2));
                assertThat(await(st.highestModSeq(box, UV))).isEqualTo(r.assignedModSeq());
            }
            assertThatThrownBy(() -> s.dataNodes().get(0).call("PING")).hasMessageContaining("NOAUTH");
            try (ModSeqStore wrong = ModSeqStores.create(s.uri().replace("s3cret", "wrong"), options())) {
                Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> !wrong.available());
                assertThatThrownBy(() -> wrong.highestModSeq(box, UV)
                                .toCompletableFuture()
                                .get(10, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(StoreUnavailableException.class);
            }
        }
    }
}

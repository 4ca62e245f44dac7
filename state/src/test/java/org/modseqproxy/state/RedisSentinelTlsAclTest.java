package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.modseqproxy.state.testing.RedisSecurity;
import org.modseqproxy.state.testing.RedisSentinelFixture;
import org.modseqproxy.state.testing.TestCertificates;

/**
 * The store on a Sentinel-managed Redis where every port speaks TLS only (sentinels and data nodes, replication and
 * the sentinels' own links too) and nothing answers without a login: the store asks
 * {@code rediss-sentinel://s1,s2,s3#modseq} for the master as the sentinels' ACL user {@code watcher}
 * ({@link StoreOptions#sentinelCredentials()}) and logs in to the master as the least-privilege ACL user
 * {@code alice} ({@link StoreOptions#credentials()}). Then the whole contract, and last a failover on the same set:
 * the master SIGKILLed, a replica promoted, the same store following it over TLS with the same logins.
 *
 * <p>One sentinel set for the class (about 10 s to form); the failover test runs last because it leaves the set
 * without a replica.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisSentinelTlsAclTest extends ModSeqStoreContract {

    private static final String USER = "alice";
    private static final String PASSWORD = "sentinel-Pa55";
    private static final StoreOptions.Credentials SENTINEL_LOGIN = new StoreOptions.Credentials("watcher", "w-Pa55");
    private static RedisSentinelFixture sentinel;

    @BeforeAll
    static void startSentinel() {
        sentinel = RedisSentinelFixture.start(
                RedisSecurity.tls(TestCertificates.loopback())
                        .withUser(USER, PASSWORD, RedisTlsAclModSeqStoreTest.LEAST_PRIVILEGE),
                1,
                SENTINEL_LOGIN);
    }

    @AfterAll
    static void stopSentinel() {
        if (sentinel != null) {
            sentinel.close();
        }
    }

    @Override
    protected StoreOptions options() {
        return RedisTlsAclModSeqStoreTest.trustTestCa(StoreOptions.defaults()
                        .withCommandTimeout(Duration.ofSeconds(1))
                        .withCircuitRetryDelay(Duration.ofMillis(200)))
                .withCredentials(new StoreOptions.Credentials(USER, PASSWORD))
                .withSentinelCredentials(SENTINEL_LOGIN);
    }

    @Override
    protected ModSeqStore newStore(StoreOptions opts) {
        ModSeqStore s = ModSeqStores.create(sentinel.uriWithoutCredentials(), opts);
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(s::available);
        return s;
    }

    @Override
    protected void loseAllData() {
        try {
            sentinel.callDataNode(sentinel.masterPort(), "FLUSHALL");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    protected boolean instancesShareState() {
        return true;
    }

    /** What the store wrote is on the master, written by alice over TLS; no port answers plaintext. */
    @Test
    void theStoreLogsInAsTheAclUserOverTlsOnly() throws Exception {
        assertThat(sentinel.uriWithoutCredentials())
                .startsWith("rediss-sentinel://127.0.0.1:")
                .endsWith("#modseq");
        SyncResult r = await(store.sync(box, listing(UV, 3, 1, SEEN, 2, NONE)));
        assertThat(r.added()).isEqualTo(UidSet.of(1, 2));
        int master = sentinel.masterPort();
        assertThat(sentinel.callDataNode(master, "HGET", "ms:{" + box.tag() + "}:m", "hms"))
                .isEqualTo(Long.toString(r.assignedModSeq()));
        // the store's connection on the master: user alice (CLIENT LIST shows the login of each connection)
        String clients = (String) sentinel.callDataNode(master, "CLIENT", "LIST");
        assertThat(clients).contains("user=" + USER + " ");
        for (int port : sentinel.sentinelPorts()) {
            assertThat(plaintextPingAnswer(port)).as("sentinel port %d", port).isNotEqualTo("+PONG");
        }
        assertThat(plaintextPingAnswer(master)).as("master port %d", master).isNotEqualTo("+PONG");
    }

    /** The first line a plaintext PING gets back, or "" when the server closes the connection. */
    private static String plaintextPingAnswer(int port) {
        try (Socket plain = new Socket("127.0.0.1", port)) {
            plain.setSoTimeout(5000);
            plain.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = plain.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\r') {
                line.append((char) c);
            }
            return line.toString();
        } catch (IOException closed) {
            return "";
        }
    }

    /**
     * The sentinels' certificates are checked like the data nodes': without the private CA (the JVM's trust store
     * alone) the store never gets to the master, and says it is unavailable instead of hanging.
     */
    @Test
    void untrustedCertificatesLeaveTheStoreUnavailable() {
        StoreOptions noCa = options().withTls(StoreOptions.Tls.DEFAULT);
        try (ModSeqStore s = ModSeqStores.create(sentinel.uriWithoutCredentials(), noCa)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(
                            () -> s.highestModSeq(box, UV).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(StoreUnavailableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(s.available()).isFalse();
        }
    }

    /** A wrong password for alice: the sentinels answer, the master refuses the login, the store is unavailable. */
    @Test
    void wrongPasswordLeavesTheStoreUnavailable() {
        StoreOptions wrong = options().withCredentials(new StoreOptions.Credentials(USER, "wrong"));
        try (ModSeqStore s = ModSeqStores.create(sentinel.uriWithoutCredentials(), wrong)) {
            assertThatThrownBy(() -> s.bump(box, UV).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(StoreUnavailableException.class);
            assertThat(s.available()).isFalse();
        }
    }

    /**
     * The sentinels' login is their own: without it (or with the data nodes' one) the store gets no master address,
     * and is unavailable rather than hanging. A login of the data nodes cannot reach the sentinels through the URI
     * either (Lettuce gives a Sentinel URI's user:pass@ to the data nodes only): it takes
     * {@link StoreOptions#sentinelCredentials()}, which RedisLink sets on every sentinel's RedisURI.
     */
    @Test
    void theSentinelsWantTheirOwnLogin() {
        for (StoreOptions.Credentials atSentinels : new StoreOptions.Credentials[] {
            StoreOptions.Credentials.NONE, new StoreOptions.Credentials(USER, PASSWORD)
        }) {
            try (ModSeqStore s = ModSeqStores.create(
                    sentinel.uriWithoutCredentials(), options().withSentinelCredentials(atSentinels))) {
                assertThatThrownBy(() -> s.bump(box, UV).toCompletableFuture().get(10, TimeUnit.SECONDS))
                        .as("sentinel login %s", atSentinels)
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(StoreUnavailableException.class);
                assertThat(s.available()).isFalse();
            }
        }
        // and they are given to Sentinel URIs only: anywhere else they would be a configuration mistake
        assertThatThrownBy(() -> ModSeqStores.create("rediss://127.0.0.1:" + sentinel.masterPort(), options()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sentinel credentials");
    }

    /** The login may also be written into the URI; Lettuce gives it to the data nodes, not to the sentinels. */
    @Test
    void credentialsInTheUriWorkToo() {
        assertThat(sentinel.uri()).startsWith("rediss-sentinel://" + USER + ":" + PASSWORD + "@127.0.0.1:");
        long before = await(store.highestModSeq(box, UV));
        StoreOptions caOnly =
                RedisTlsAclModSeqStoreTest.trustTestCa(StoreOptions.defaults()).withSentinelCredentials(SENTINEL_LOGIN);
        try (ModSeqStore viaUri = ModSeqStores.create(sentinel.uri(), caOnly)) {
            assertThat(await(viaUri.bump(box, UV))).isEqualTo(before + 1);
        }
    }

    /**
     * As RedisSentinelModSeqStoreTest#masterKilledStoreFailsFastThenFollowsThePromotedReplica, over TLS with the ACL
     * user: calls fail fast while the master is gone, then the same store, not reconfigured, logs in to the promoted
     * replica; the old history's state counts as lost and restarts above everything handed out (RFC 7162 3.1).
     */
    @Test
    @Order(Integer.MAX_VALUE) // leaves the set without a replica: last
    void masterKilledTheStoreFollowsThePromotedReplicaOverTls() throws Exception {
        SyncResult first = await(store.sync(box, listing(UV, 4, 1, SEEN, 2, NONE, 3, NONE)));
        SyncResult second = await(store.apply(box, UV, new ChangeSet(Map.of(2L, FLAGGED), UidSet.of(3))));
        long before = await(store.bump(box, UV));
        assertThat(before).isEqualTo(second.assignedModSeq() + 1).isGreaterThan(first.assignedModSeq());
        assertThat(await(store.load(box, UV)).orElseThrow().messages()).isNotEmpty();
        int oldMaster = sentinel.masterPort();
        // the replica has everything (over TLS replication): the state is dropped all the same, nothing proves that
        assertThat((Long) sentinel.callDataNode(oldMaster, "WAIT", "1", "1000")).isEqualTo(1L);

        sentinel.killMaster();
        long t0 = System.nanoTime();
        assertThatThrownBy(
                        () -> store.highestModSeq(box, UV).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StoreUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));

        int newMaster = sentinel.awaitFailover(Duration.ofSeconds(30));
        assertThat(newMaster).isNotEqualTo(oldMaster);
        long promotedMs = (System.nanoTime() - t0) / 1_000_000;
        Awaitility.await()
                .atMost(15, TimeUnit.SECONDS)
                .pollInterval(Duration.ofMillis(20))
                .until(store::available);
        long h = await(store.highestModSeq(box, UV));
        long backMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf(
                "SENTINEL TLS+ACL failover: port %d -> %d; sentinels agree after %d ms, first store call OK"
                        + " after %d ms%n",
                oldMaster, newMaster, promotedMs, backMs);

        assertThat(h).isGreaterThan(before);
        assertThat(await(store.load(box, UV)).orElseThrow().messages()).isEmpty();
        SyncResult after = await(store.sync(box, listing(UV, 4, 1, SEEN, 2, FLAGGED)));
        assertThat(after.added()).isEqualTo(UidSet.of(1, 2));
        assertThat(after.assignedModSeq()).isGreaterThan(h);
        // written on the promoted replica, by alice again
        assertThat(sentinel.callDataNode(newMaster, "HGET", "ms:{" + box.tag() + "}:m", "hms"))
                .isEqualTo(Long.toString(after.assignedModSeq()));
        assertThat((String) sentinel.callDataNode(newMaster, "CLIENT", "LIST")).contains("user=" + USER + " ");
    }
}

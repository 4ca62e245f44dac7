package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.modseqproxy.state.testing.RedisClusterFixture;
import org.modseqproxy.state.testing.RedisSecurity;
import org.modseqproxy.state.testing.RedisServerFixture;
import org.modseqproxy.state.testing.TestCertificates;

/**
 * The store on a Redis Cluster where everything is TLS (clients, cluster bus, replication) and the store logs in as a
 * least-privilege ACL user: three masters with a replica each. Lettuce finds the other nodes through the topology
 * and must reach them with the seed's TLS settings and credentials.
 */
class RedisClusterTlsAclTest {

    private static RedisClusterFixture cluster;

    @BeforeAll
    static void startCluster() {
        cluster = RedisClusterFixture.start(
                RedisSecurity.tls(TestCertificates.loopback())
                        .withUser("alice", "cluster-Pa55", RedisTlsAclModSeqStoreTest.LEAST_PRIVILEGE),
                1);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static <T> T await(CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void mailboxesSpreadOverTlsNodesAndReachTheReplicas() throws Exception {
        assertThat(cluster.uri()).startsWith("rediss-cluster://alice:cluster-Pa55@127.0.0.1:");
        StoreOptions opts = StoreOptions.defaults()
                .withCommandTimeout(Duration.ofSeconds(2))
                .withTls(new StoreOptions.Tls(TestCertificates.loopback().caFile(), null, null));
        try (ModSeqStore store = ModSeqStores.create(cluster.uri(), opts)) {
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(store::available);
            Flags seen = Flags.of("\\Seen");
            for (int i = 0; i < 12; i++) {
                MailboxId box = new MailboxId("b1", "user" + i, "INBOX");
                SyncResult r = await(store.sync(
                        box, new Listing(7, 300, new long[] {1, 2, 200}, new Flags[] {seen, Flags.EMPTY, seen})));
                assertThat(r.added().toImapString()).isEqualTo("1:2,200");
                assertThat(await(store.bump(box, 7))).isEqualTo(r.assignedModSeq() + 1);
                assertThat(await(store.load(box, 7)).orElseThrow().uids()).isEqualTo(UidSet.of(1, 2, 200));
            }
            Set<Integer> mastersUsed = new HashSet<>();
            long keysOnMasters = 0;
            for (RedisServerFixture n : cluster.nodes()) {
                long keys = (Long) n.call("DBSIZE");
                keysOnMasters += keys;
                if (keys > 0) {
                    mastersUsed.add(n.port());
                }
            }
            assertThat(mastersUsed).hasSizeGreaterThan(1);
            // replication runs over TLS with the admin login: the replicas end up with the same keys
            long expected = keysOnMasters;
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> {
                long onReplicas = 0;
                for (RedisServerFixture r : cluster.replicas()) {
                    onReplicas += (Long) r.call("DBSIZE");
                }
                return onReplicas == expected;
            });
        }
    }

    @Test
    void wrongPasswordOnTheClusterIsUnavailable() throws Exception {
        String spec = cluster.uri().replace("alice:cluster-Pa55@", "");
        StoreOptions opts = StoreOptions.defaults()
                .withCommandTimeout(Duration.ofSeconds(1))
                .withTls(new StoreOptions.Tls(TestCertificates.loopback().caFile(), null, null))
                .withCredentials(new StoreOptions.Credentials("alice", "nope"));
        try (ModSeqStore store = ModSeqStores.create(spec, opts)) {
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> !store.available());
            long t0 = System.nanoTime();
            try {
                await(store.bump(new MailboxId("b1", "x", "INBOX"), 7));
                throw new AssertionError("a store with a wrong password answered");
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StoreUnavailableException.class);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
        }
    }
}

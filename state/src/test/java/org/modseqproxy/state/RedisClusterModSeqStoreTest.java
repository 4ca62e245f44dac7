package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.modseqproxy.state.testing.RedisClusterFixture;
import org.modseqproxy.state.testing.RedisServerFixture;

/** The store on a real three-master Redis Cluster: every script stays in its mailbox's slot. */
class RedisClusterModSeqStoreTest {

    private static RedisClusterFixture cluster;

    @BeforeAll
    static void startCluster() {
        cluster = RedisClusterFixture.start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void mailboxesSpreadOverNodesAndEveryOperationWorks() throws Exception {
        try (ModSeqStore store =
                ModSeqStores.create(cluster.uri(), StoreOptions.defaults().withExpungeLogMaxEntries(2))) {
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(store::available);
            Flags seen = Flags.of("\\Seen");
            for (int i = 0; i < 12; i++) {
                MailboxId box = new MailboxId("b1", "user" + i, "INBOX");
                SyncResult r = await(store.sync(
                        box, new Listing(7, 300, new long[] {1, 2, 200}, new Flags[] {seen, Flags.EMPTY, seen})));
                assertThat(r.added().toImapString()).isEqualTo("1:2,200");
                long m1 = r.assignedModSeq();
                SyncResult r2 = await(store.apply(box, 7, new ChangeSet(Map.of(2L, seen), UidSet.of(200))));
                assertThat(r2.assignedModSeq()).isEqualTo(m1 + 1);
                assertThat(await(store.vanishedSince(box, 7, m1))).isEqualTo(new Vanished.Exact(UidSet.of(200)));
                assertThat(await(store.bump(box, 7))).isEqualTo(m1 + 2);
                assertThat(await(store.load(box, 7)).orElseThrow().uids()).isEqualTo(UidSet.of(1, 2));
                await(store.rename(box, new MailboxId("b1", "user" + i, "Old")));
                assertThat(await(store.load(box, 7))).isEmpty();
                await(store.sync(box, new Listing(7, 2, new long[] {1}, new Flags[] {seen})));
            }
            // the twelve mailboxes really landed on more than one node
            Set<Integer> nodesUsed = new HashSet<>();
            for (RedisServerFixture n : cluster.nodes()) {
                if ((Long) n.call("DBSIZE") > 0) {
                    nodesUsed.add(n.port());
                }
                @SuppressWarnings("unchecked")
                List<Object> keys = (List<Object>) n.call("KEYS", "*");
                for (Object k : keys) {
                    assertThat((String) k).matches("ms:\\{b1:user\\d+:INBOX\\}:.*");
                }
            }
            assertThat(nodesUsed).hasSizeGreaterThan(1);
        }
    }
}

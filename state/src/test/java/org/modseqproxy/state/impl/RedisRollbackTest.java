package org.modseqproxy.state.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modseqproxy.state.ChangeSet;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.Listing;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.MessageState;
import org.modseqproxy.state.ModSeqClock;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.ModSeqStores;
import org.modseqproxy.state.StoreOptions;
import org.modseqproxy.state.SyncResult;
import org.modseqproxy.state.UidSet;
import org.modseqproxy.state.Vanished;
import org.modseqproxy.state.testing.RedisServerFixture;

/**
 * Redis losing only its LAST writes, as a Sentinel or Cluster failover does when the promoted replica had not received
 * them yet (replication is asynchronous), done for real: a master and a replica in sync; the replica stops following
 * (REPLICAOF NO ONE, as Sentinel promotes it) so the master's next, acknowledged writes miss it; then the master is
 * SIGKILLed and the promoted replica is what is left. A store of "another instance" then continues on the promoted replica. RFC 7162 3.1: a
 * new mod-sequence must be higher than any assigned before; a client that saw a change must learn of anything that
 * differs from what it saw. DESIGN: "Correctness never depends on Redis durability".
 *
 * <p>The other instance is emulated in this JVM by forgetting the process-wide floor of {@link ModSeqClock}: only the
 * clock then puts its new start above the lost mod-sequences, as it would in another process.
 */
class RedisRollbackTest {

    static final MailboxId BOX = new MailboxId("b1", "alice", "INBOX");
    static final MailboxId QUIET = new MailboxId("b1", "bob", "INBOX");
    static final long UV = 42;
    static final Flags SEEN = Flags.of("\\Seen");

    RedisServerFixture master;
    RedisServerFixture replica;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        // --dir: the full sync to the replica goes through an RDB file; keep it out of the working tree
        // and no 5 s wait for more replicas before the diskless full sync starts
        master = RedisServerFixture.start(List.of("--dir", dir.toString(), "--repl-diskless-sync-delay", "0"));
        replica = RedisServerFixture.start(
                List.of("--dir", dir.toString(), "--replicaof", "127.0.0.1", Integer.toString(master.port())));
        Awaitility.await()
                .atMost(10, TimeUnit.SECONDS)
                .until(() -> info(replica).contains("master_link_status:up"));
    }

    @AfterEach
    void stop() throws Exception {
        if (replica != null) {
            replica.close();
        }
        if (master != null) {
            master.close();
        }
    }

    private static String info(RedisServerFixture r) throws Exception {
        return (String) r.call("INFO", "replication");
    }

    private static ModSeqStore store(RedisServerFixture r) {
        ModSeqStore s = ModSeqStores.create(r.uri(), StoreOptions.defaults().withNearCacheMaxMailboxes(0));
        Awaitility.await().atMost(30, TimeUnit.SECONDS).until(s::available);
        return s;
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> f) {
        try {
            return f.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The replica catches up with everything written so far (WAIT 1), then is promoted: later writes miss it. */
    private void promoteReplicaInSync() throws Exception {
        assertThat((Long) master.call("WAIT", "1", "5000")).isEqualTo(1L);
        replica.call("REPLICAOF", "NO", "ONE");
        Awaitility.await()
                .atMost(10, TimeUnit.SECONDS)
                .until(() -> info(replica).contains("role:master"));
    }

    /** The old master dies with writes only it had (SIGKILL). */
    private void killMaster() {
        master.stop();
    }

    @Test
    void lostLastWritesNeverLowerHighestModSeqNorReuseModSeqsNorHideAChange() throws Exception {
        long handedOut;
        long m2;
        try (ModSeqStore a = store(master)) {
            await(a.sync(
                    BOX, Listing.of(UV, new long[] {1, 2, 3}, new Flags[] {Flags.EMPTY, Flags.EMPTY, Flags.EMPTY})));
            await(a.apply(BOX, UV, ChangeSet.upsert(1, SEEN)));
            promoteReplicaInSync();
            // lost: 2 seen (a client saw this), then unseen again; 3 expunged, 4 added
            m2 = await(a.apply(BOX, UV, ChangeSet.upsert(2, SEEN))).assignedModSeq();
            await(a.apply(BOX, UV, ChangeSet.upsert(2, Flags.EMPTY)));
            long m3 = await(a.apply(BOX, UV, new ChangeSet(Map.of(4L, SEEN), UidSet.of(3))))
                    .assignedModSeq();
            assertThat(m3).isGreaterThan(m2);
            handedOut = m3; // clients have seen m2 and m3 (MODSEQ of the changes, HIGHESTMODSEQ, VANISHED)
        }
        killMaster();
        ModSeqClock.forgetForTests();
        try (ModSeqStore b = store(replica)) {
            // the surviving state (1 seen, 2 and 3 unseen, no 4) is older than what clients saw: never served
            assertThat(await(b.load(BOX, UV)))
                    .as("state from before the failover")
                    .isEmpty();
            assertThat(await(b.highestModSeq(BOX, UV)))
                    .as("HIGHESTMODSEQ after the failover")
                    .isGreaterThan(handedOut);
            // the backend's truth after the lost writes: 1 seen, 2 unseen, 4 seen
            SyncResult r =
                    await(b.sync(BOX, Listing.of(UV, new long[] {1, 2, 4}, new Flags[] {SEEN, Flags.EMPTY, SEEN})));
            assertThat(r.assignedModSeq())
                    .as("mod-sequence of the first change after the failover")
                    .isGreaterThan(handedOut);
            // a client that saw m2 (2 seen) learns that 2 changed since: every message is above what it saw
            assertThat(r.snapshot().changedSince(m2).stream()
                            .map(MessageState::uid)
                            .toList())
                    .containsExactly(1L, 2L, 4L);
            // and its expunges fall back to known-UIDs (RFC 7162 3.2.5.2), never an empty VANISHED
            assertThat(await(b.vanishedSince(BOX, UV, handedOut))).isInstanceOf(Vanished.BelowHorizon.class);
        }
    }

    /** A mailbox nobody wrote near the failover is restarted too: nothing in the data says it lost nothing. */
    @Test
    void everyMailboxOfTheOldHistoryIsRestartedAboveIt() throws Exception {
        long before;
        try (ModSeqStore a = store(master)) {
            before = await(a.sync(QUIET, Listing.of(UV, new long[] {1}, new Flags[] {SEEN})))
                    .assignedModSeq();
            promoteReplicaInSync();
        }
        killMaster();
        ModSeqClock.forgetForTests();
        try (ModSeqStore b = store(replica)) {
            assertThat(await(b.load(QUIET, UV))).isEmpty();
            SyncResult r = await(b.sync(QUIET, Listing.of(UV, new long[] {1}, new Flags[] {SEEN})));
            assertThat(r.added()).isEqualTo(UidSet.of(1));
            assertThat(r.assignedModSeq()).isGreaterThan(before);
            // from then on the new history is trusted as usual
            assertThat(await(b.sync(QUIET, Listing.of(UV, new long[] {1}, new Flags[] {SEEN})))
                            .assignedModSeq())
                    .isZero();
        }
    }

    /** Control: without a failover the state is kept (the replica in sync changes nothing). */
    @Test
    void stateSurvivesAsLongAsTheHistoryDoes() throws Exception {
        try (ModSeqStore a = store(master)) {
            SyncResult first = await(a.sync(QUIET, Listing.of(UV, new long[] {1}, new Flags[] {SEEN})));
            try (ModSeqStore b = store(master)) {
                assertThat(await(b.load(QUIET, UV)).orElseThrow().highestModSeq())
                        .isEqualTo(first.assignedModSeq());
            }
        }
    }

    /** Losing the whole mailbox (absent counter) restarts above every earlier value. */
    @Test
    void lostWholeMailboxRestartsAboveEverything() throws Exception {
        long handedOut;
        try (ModSeqStore a = store(master)) {
            await(a.sync(BOX, Listing.of(UV, new long[] {1, 2}, new Flags[] {Flags.EMPTY, Flags.EMPTY})));
            handedOut = await(a.apply(BOX, UV, ChangeSet.upsert(2, SEEN))).assignedModSeq();
        }
        master.flushAll();
        ModSeqClock.forgetForTests();
        try (ModSeqStore b = store(master)) {
            assertThat(await(b.highestModSeq(BOX, UV))).isGreaterThan(handedOut);
        }
    }
}

package org.modseqproxy.proxy.multi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.modseqproxy.proxy.testing.BackendTruth;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.QresyncClient;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.proxy.testing.TwoProxies;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.MailboxSnapshot;
import org.modseqproxy.state.MessageState;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.ModSeqStores;
import org.modseqproxy.state.StoreOptions;
import org.modseqproxy.state.UidSet;
import org.modseqproxy.state.Vanished;
import org.modseqproxy.state.testing.RedisServerExtension;

/**
 * Issue 5: "Two instances running the SELECT-time sync of the same mailbox at once: one consistent result". Changes
 * are made directly on GreenMail (bypassing the proxies), then 10 clients, 5 on each instance (each instance with its
 * own RedisModSeqStore on the same Redis), SELECT with QRESYNC at the same moment. The whole diff must land as ONE
 * batch (one new mod-sequence, one expunge-log entry), whichever instance gets there first; every client must get
 * the same answer; the store (read through a third store object) must agree.
 */
class ConcurrentSelectSyncTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    static final int MESSAGES = 200;
    static final int CLIENTS = 10;

    TwoProxies two;
    GreenMailBackend backend;
    com.icegreen.greenmail.user.GreenMailUser alice;
    ProxyFixture p1;
    ProxyFixture p2;

    @BeforeEach
    void start() {
        REDIS.server().flushAll();
        two = TwoProxies.start(REDIS.server().uri());
        backend = two.backend;
        p1 = two.p1;
        p2 = two.p2;
        alice = backend.userWithMessages("alice", "pw", MESSAGES);
    }

    @AfterEach
    void stop() {
        two.close();
    }

    /** What one client got from its SELECT (QRESYNC ...). */
    record Answer(long hms, UidSet vanished, Map<Long, Long> modSeqs, Map<Long, Flags> cache, List<String> problems) {}

    @Test
    void tenClientsOnTwoInstancesSelectingAtOnceGetOneConsistentResult() throws Exception {
        QresyncClient before =
                QresyncClient.fullFrom(p1, "alice", "pw", "INBOX").after();
        long hms0 = before.highestModSeq();

        // directly on the backend: flag 10, expunge 5, deliver 3
        try (RawImap direct = RawImap.connect("127.0.0.1", backend.port())) {
            direct.login("alice", "pw");
            direct.ok("a", "SELECT INBOX");
            direct.ok("b", "UID STORE 5:14 +FLAGS (\\Flagged)");
            direct.ok("c", "UID STORE 20:24 +FLAGS (\\Deleted)");
            direct.ok("d", "EXPUNGE");
            direct.ok("e", "LOGOUT");
        }
        for (int i = 0; i < 3; i++) {
            backend.deliver(alice, "new" + i, "new body " + i);
        }
        Map<Long, Flags> truth = BackendTruth.flags("127.0.0.1", backend.port(), "alice", "pw", "INBOX");

        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        CyclicBarrier barrier = new CyclicBarrier(CLIENTS);
        List<Future<Answer>> futures = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            ProxyFixture p = i % 2 == 0 ? p1 : p2;
            String tag = "s" + i;
            futures.add(pool.submit(() -> {
                try (RawImap c = p.connect().login("alice", "pw")) {
                    c.ok("e", "ENABLE QRESYNC");
                    barrier.await(20, TimeUnit.SECONDS);
                    QresyncClient.Resync r = before.resync(c, "INBOX", tag, true);
                    return new Answer(
                            r.after().highestModSeq(),
                            r.vanished(),
                            r.fetchedModSeqs(),
                            r.after().cache(),
                            r.problems());
                }
            }));
        }
        List<Answer> answers = new ArrayList<>();
        for (Future<Answer> f : futures) {
            answers.add(f.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();

        UidSet newUids = UidSet.range(MESSAGES + 1, MESSAGES + 3);
        UidSet expectedChanged = UidSet.range(5, 14).union(newUids);
        Answer first = answers.get(0);
        for (Answer a : answers) {
            assertThat(a.problems()).isEmpty();
            assertThat(a.cache()).isEqualTo(truth);
            assertThat(a.vanished()).isEqualTo(UidSet.range(20, 24));
            assertThat(a.modSeqs().keySet())
                    .containsExactlyElementsOf(expectedChanged.stream().boxed().toList());
            // one batch: every change has the same mod-sequence, which is the new HIGHESTMODSEQ
            assertThat(Set.copyOf(a.modSeqs().values())).containsExactly(a.hms());
            assertThat(a.hms()).isGreaterThan(hms0);
            // and every client got the very same answer, whichever instance synced first
            assertThat(a.hms()).isEqualTo(first.hms());
            assertThat(a.modSeqs()).isEqualTo(first.modSeqs());
        }

        // The store, read through a third, independent store object: exactly one batch was applied.
        try (ModSeqStore inspect = ModSeqStores.create(REDIS.server().uri(), StoreOptions.defaults())) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(inspect::available);
            MailboxId id = new MailboxId("b1", "alice", "INBOX");
            MailboxSnapshot snap = inspect.load(id, before.uidValidity())
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS)
                    .orElseThrow();
            assertThat(snap.highestModSeq())
                    .as("one new mod-sequence for the whole diff")
                    .isEqualTo(hms0 + 1)
                    .isEqualTo(first.hms());
            Map<Long, Long> above = new TreeMap<>();
            for (MessageState m : snap.changedSince(hms0)) {
                above.put(m.uid(), m.modSeq());
            }
            assertThat(above).isEqualTo(first.modSeqs());
            assertThat(snap.uids().stream().boxed().toList()).containsExactlyElementsOf(truth.keySet());
            Vanished v = inspect.vanishedSince(id, before.uidValidity(), hms0)
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            assertThat(v).isEqualTo(new Vanished.Exact(UidSet.range(20, 24)));
        }
    }
}

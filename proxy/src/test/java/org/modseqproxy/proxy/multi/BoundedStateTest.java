package org.modseqproxy.proxy.multi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
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
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.ModSeqStores;
import org.modseqproxy.state.StoreOptions;
import org.modseqproxy.state.UidSet;
import org.modseqproxy.state.Vanished;
import org.modseqproxy.state.testing.RedisServerExtension;

/**
 * Issue 5, "Bounded state": a short expunge log (5 entries) and a mailbox whose Redis keys are gone (deleted, or
 * expired by a short idleMailboxTtl) only make resyncs fuller, never wrong. Each case checks that the fault really
 * happened (the horizon moved past the client's modseq, the keys are gone) and that a QRESYNC from old mod-sequences,
 * with and without known-uids, gives exactly the backend's truth, with HIGHESTMODSEQ above everything seen before.
 */
class BoundedStateTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    static final MailboxId INBOX = new MailboxId("b1", "alice", "INBOX");

    GreenMailBackend backend;
    ModSeqStore store;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        REDIS.server().flushAll();
        backend = new GreenMailBackend();
        backend.userWithMessages("alice", "pw", 40);
    }

    private void startProxy(StoreOptions opts) {
        store = ModSeqStores.create(REDIS.server().uri(), opts);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(store::available);
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), store, c -> {});
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (store != null) {
            store.close();
        }
        backend.close();
    }

    /** Through the proxy: flag one message and expunge one message per round, one expunge-log entry each. */
    private void churn(int rounds, long firstUid) {
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            c.ok("s", "SELECT INBOX (CONDSTORE)");
            for (int i = 0; i < rounds; i++) {
                long uid = firstUid + 2L * i;
                c.ok("f" + i, "UID STORE " + (uid + 1) + " +FLAGS (\\Answered)");
                c.ok("d" + i, "UID STORE " + uid + " +FLAGS (\\Deleted)");
                List<String> ex = c.command("x" + i, "EXPUNGE");
                assertThat(ex).contains("* VANISHED " + uid);
            }
            c.ok("z", "LOGOUT");
        }
    }

    private void assertResyncsFrom(List<QresyncClient> olds) {
        Map<Long, Flags> truth = BackendTruth.flags("127.0.0.1", backend.port(), "alice", "pw", "INBOX");
        long maxBefore =
                olds.stream().mapToLong(QresyncClient::highestModSeq).max().orElseThrow();
        int i = 0;
        for (QresyncClient old : olds) {
            for (boolean known : List.of(true, false)) {
                try (RawImap c = proxy.connect().login("alice", "pw")) {
                    c.ok("e", "ENABLE QRESYNC");
                    QresyncClient.Resync r = old.resync(c, "INBOX", "q" + i++, known);
                    assertThat(r.problems()).isEmpty();
                    assertThat(BackendTruth.diff(truth, r.after().cache()))
                            .as("resync from %d, known-uids %s", old.highestModSeq(), known)
                            .isEmpty();
                    assertThat(r.after().highestModSeq()).isGreaterThan(maxBefore);
                    // whatever the client knew and is gone must be in VANISHED (EARLIER), nothing still present may be
                    UidSet gone = old.uids().minus(uidsOf(truth));
                    assertThat(r.vanished().intersect(old.uids())).isEqualTo(gone);
                    assertThat(r.vanished().intersect(uidsOf(truth))).isEqualTo(UidSet.empty());
                }
            }
        }
    }

    private static UidSet uidsOf(Map<Long, Flags> m) {
        UidSet.Builder b = new UidSet.Builder();
        m.keySet().forEach(b::add);
        return b.build();
    }

    @Test
    void shortExpungeLogAnswersFromKnownUidsBelowTheHorizon() throws Exception {
        startProxy(StoreOptions.defaults().withExpungeLogMaxEntries(5));
        QresyncClient v0 = QresyncClient.fullFrom(proxy, "alice", "pw", "INBOX").after();
        churn(3, 1); // 3 log entries: still exact from v0
        QresyncClient v1 = QresyncClient.fullFrom(proxy, "alice", "pw", "INBOX").after();
        churn(9, 11); // 12 entries in all: the log keeps 5, the horizon passes v0 and v1
        QresyncClient v2 = QresyncClient.fullFrom(proxy, "alice", "pw", "INBOX").after();
        churn(2, 31); // within the log from v2

        // the fault really happened: v0 and v1 are below the horizon, v2 is not
        assertThat(store.vanishedSince(INBOX, v0.uidValidity(), v0.highestModSeq())
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS))
                .isInstanceOf(Vanished.BelowHorizon.class);
        assertThat(store.vanishedSince(INBOX, v1.uidValidity(), v1.highestModSeq())
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS))
                .isInstanceOf(Vanished.BelowHorizon.class);
        assertThat(store.vanishedSince(INBOX, v2.uidValidity(), v2.highestModSeq())
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS))
                .isEqualTo(new Vanished.Exact(UidSet.of(31, 33)));
        @SuppressWarnings("unchecked")
        List<Object> log = (List<Object>) REDIS.server().call("LRANGE", "ms:{" + INBOX.tag() + "}:x", "0", "-1");
        assertThat(log).hasSize(5);

        assertResyncsFrom(List.of(v0, v1, v2));
    }

    @Test
    void mailboxKeysDeletedInRedisOnlyMakeTheResyncFuller() throws Exception {
        startProxy(StoreOptions.defaults());
        QresyncClient v0 = QresyncClient.fullFrom(proxy, "alice", "pw", "INBOX").after();
        churn(3, 1);
        QresyncClient v1 = QresyncClient.fullFrom(proxy, "alice", "pw", "INBOX").after();
        @SuppressWarnings("unchecked")
        List<Object> keys = (List<Object>) REDIS.server().call("KEYS", "ms:{" + INBOX.tag() + "}:*");
        assertThat(keys).hasSizeGreaterThanOrEqualTo(4);
        String[] del = new String[keys.size() + 1];
        del[0] = "DEL";
        for (int i = 0; i < keys.size(); i++) {
            del[i + 1] = (String) keys.get(i);
        }
        assertThat(REDIS.server().call(del)).isEqualTo((long) keys.size());
        // changes while the state is gone: one through the proxy (creates fresh, partial state), one directly
        churn(1, 21);
        try (RawImap direct = RawImap.connect("127.0.0.1", backend.port())) {
            direct.login("alice", "pw");
            direct.ok("a", "SELECT INBOX");
            direct.ok("b", "UID STORE 30 +FLAGS (\\Seen)");
            direct.ok("c", "LOGOUT");
        }
        assertResyncsFrom(List.of(v0, v1));
    }

    @Test
    void mailboxKeysExpiredByIdleTtlOnlyMakeTheResyncFuller() throws Exception {
        startProxy(StoreOptions.defaults().withIdleMailboxTtl(Duration.ofMillis(1500)));
        QresyncClient v0 = QresyncClient.fullFrom(proxy, "alice", "pw", "INBOX").after();
        churn(3, 1);
        QresyncClient v1 = QresyncClient.fullFrom(proxy, "alice", "pw", "INBOX").after();
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> ((List<?>) REDIS.server().call("KEYS", "ms:{" + INBOX.tag() + "}:*")).isEmpty());
        churn(1, 21);
        assertResyncsFrom(List.of(v0, v1));
    }
}

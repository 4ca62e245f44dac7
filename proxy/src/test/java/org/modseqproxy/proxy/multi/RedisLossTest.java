package org.modseqproxy.proxy.multi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.BackendTruth;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.QresyncClient;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.proxy.testing.TwoProxies;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.testing.RedisServerFixture;

/**
 * Issue 5, "Redis flushed or restarted empty: the next resync is complete and correct (fuller, not wrong)", with
 * HIGHESTMODSEQ above every value handed out before. Two proxy instances (own stores), a client that stays selected
 * through the fault on instance 1, changes through both instances and directly on the backend around the fault.
 */
class RedisLossTest {
    RedisServerFixture redis;
    TwoProxies two;
    GreenMailBackend backend;
    com.icegreen.greenmail.user.GreenMailUser alice;
    ProxyFixture p1;
    ProxyFixture p2;

    @BeforeEach
    void start() {
        redis = RedisServerFixture.start();
        two = TwoProxies.start(redis.uri());
        backend = two.backend;
        p1 = two.p1;
        p2 = two.p2;
        alice = backend.userWithMessages("alice", "pw", 30);
    }

    @AfterEach
    void stop() {
        two.close();
        redis.close();
    }

    @Test
    void flushAllThenResyncIsFullerNotWrong() {
        lossScenario(() -> redis.flushAll());
    }

    @Test
    void restartedEmptyThenResyncIsFullerNotWrong() {
        lossScenario(() -> redis.restart());
    }

    private void lossScenario(Runnable fault) {
        List<QresyncClient> olds = new ArrayList<>();
        olds.add(QresyncClient.fullFrom(p1, "alice", "pw", "INBOX").after());
        long maxSeen;
        try (RawImap live = p1.connect().login("alice", "pw")) {
            live.ok("e", "ENABLE QRESYNC");
            maxSeen = ImapLines.highestModSeq(live.command("s", "SELECT INBOX (CONDSTORE)"));
            maxSeen = Math.max(maxSeen, storeAndExpunge(live, 1, 2));
            olds.add(QresyncClient.fullFrom(p2, "alice", "pw", "INBOX").after());
            maxSeen = Math.max(maxSeen, olds.get(1).highestModSeq());

            fault.run();

            // the selected session goes on: every command succeeds (with or without MODSEQ while the store recovers)
            List<String> during = live.command("t1", "UID STORE 3 +FLAGS (\\Flagged)");
            assertThat(ImapLines.tagged(during)).startsWith("t1 OK");
            assertThat(during).anyMatch(l -> l.contains("UID 3") && l.contains("\\Flagged"));
            List<String> ex = live.command("t2", "UID STORE 4 +FLAGS (\\Deleted)");
            assertThat(ImapLines.tagged(ex)).startsWith("t2 OK");
            assertThat(ImapLines.tagged(live.command("t3", "EXPUNGE"))).startsWith("t3 OK");
            // changes through the other instance and directly on the backend after the loss
            try (RawImap other = p2.connect().login("alice", "pw")) {
                awaitModSeq(other);
                storeAndExpunge(other, 5, 6);
            }
            backend.deliver(alice, "after", "after the loss");
            try (RawImap direct = RawImap.connect("127.0.0.1", backend.port())) {
                direct.login("alice", "pw");
                direct.ok("a", "SELECT INBOX");
                direct.ok("b", "UID STORE 7 +FLAGS (\\Answered)");
                direct.ok("c", "LOGOUT");
            }
            // the live session is still usable and, once Redis answers, reports mod-sequences above all earlier ones
            long after = awaitModSeqInSelected(live);
            assertThat(after).isGreaterThan(maxSeen);
        }
        Map<Long, Flags> truth = BackendTruth.flags("127.0.0.1", backend.port(), "alice", "pw", "INBOX");
        assertThat(truth).doesNotContainKeys(2L, 4L, 6L).containsKey(31L);
        int i = 0;
        for (QresyncClient old : olds) {
            for (ProxyFixture p : List.of(p1, p2)) {
                for (boolean known : List.of(true, false)) {
                    try (RawImap c = p.connect().login("alice", "pw")) {
                        c.ok("e", "ENABLE QRESYNC");
                        QresyncClient.Resync r = old.resync(c, "INBOX", "q" + i++, known);
                        assertThat(r.problems()).isEmpty();
                        assertThat(BackendTruth.diff(truth, r.after().cache()))
                                .as("resync from %d", old.highestModSeq())
                                .isEmpty();
                        assertThat(r.after().highestModSeq()).isGreaterThan(maxSeen);
                        // fuller: the state is new, so every message is reported again
                        assertThat(r.fetchedModSeqs().keySet()).containsExactlyElementsOf(truth.keySet());
                    }
                }
            }
        }
    }

    /** Flags {@code flagUid}, expunges {@code goneUid}; returns the highest MODSEQ seen (0 if none). */
    private static long storeAndExpunge(RawImap c, long flagUid, long goneUid) {
        long max = 0;
        for (String l : c.command("sf" + flagUid, "UID STORE " + flagUid + " +FLAGS (\\Seen)")) {
            max = Math.max(max, ImapLines.fetch(l).map(ImapLines.Fetch::modSeq).orElse(0L));
        }
        for (String l : c.command("sd" + goneUid, "UID STORE " + goneUid + " +FLAGS (\\Deleted)")) {
            max = Math.max(max, ImapLines.fetch(l).map(ImapLines.Fetch::modSeq).orElse(0L));
        }
        assertThat(c.command("sx" + goneUid, "EXPUNGE")).anyMatch(l -> l.equals("* VANISHED " + goneUid));
        return max;
    }

    /** Selects (CONDSTORE) until the answer has HIGHESTMODSEQ (the store's circuit may be open for a moment). */
    private static void awaitModSeq(RawImap c) {
        c.ok("e", "ENABLE QRESYNC");
        int[] n = {0};
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> c.command("w" + n[0]++, "SELECT INBOX (CONDSTORE)").stream()
                        .anyMatch(l -> l.contains("[HIGHESTMODSEQ ")));
    }

    /** Re-selects the live session until HIGHESTMODSEQ is back; returns it. */
    private static long awaitModSeqInSelected(RawImap c) {
        long[] hms = {0};
        int[] n = {0};
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    List<String> sel = c.command("r" + n[0]++, "SELECT INBOX (CONDSTORE)");
                    assertThat(ImapLines.tagged(sel)).contains("OK");
                    for (String l : sel) {
                        if (l.contains("[HIGHESTMODSEQ ")) {
                            hms[0] = ImapLines.highestModSeq(sel);
                            return true;
                        }
                    }
                    return false;
                });
        return hms[0];
    }
}

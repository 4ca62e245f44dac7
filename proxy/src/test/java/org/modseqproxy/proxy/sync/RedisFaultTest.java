package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.BackendTruth;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.Loopback;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.ModSeqStores;
import org.modseqproxy.state.StoreOptions;
import org.modseqproxy.state.UidSet;
import org.modseqproxy.state.testing.RedisServerFixture;

/**
 * The store going away (RFC 7162 3.1.2.2, DESIGN "State off ... or the store unreachable"): a real redis-server
 * killed under a selected session, restarted empty, and a Redis that is not there when the proxy starts. Sessions
 * must go on; mailboxes without reachable state say NOMODSEQ; after the restart, HIGHESTMODSEQ is above anything
 * handed out before and a QRESYNC from an old mod-sequence gives a complete answer.
 */
class RedisFaultTest {
    GreenMailBackend backend;
    RedisServerFixture redis;
    ModSeqStore store;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("alice", "pw", 6);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (store != null) {
            store.close();
        }
        if (redis != null) {
            redis.close();
        }
        backend.close();
    }

    @Test
    void redisKilledMidSessionThenRestartedEmpty() {
        redis = RedisServerFixture.start();
        store = ModSeqStores.create(
                redis.uri(),
                StoreOptions.defaults()
                        .withCommandTimeout(Duration.ofMillis(500))
                        .withCircuitRetryDelay(Duration.ofMillis(200)));
        Awaitility.await().atMost(30, TimeUnit.SECONDS).until(store::available);
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), store, c -> {});

        // a client's last sync before the trouble: its view and HIGHESTMODSEQ
        long uidValidity;
        long oldModSeq;
        TreeMap<Long, Flags> oldView = new TreeMap<>();
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            List<String> sel = c.command("a", "SELECT INBOX (CONDSTORE)");
            uidValidity = ImapLines.uidValidity(sel);
            oldModSeq = ImapLines.highestModSeq(sel);
            c.command("b", "UID FETCH 1:* (FLAGS)")
                    .forEach(l -> ImapLines.fetch(l).ifPresent(f -> oldView.put(f.uid(), f.flags())));
        }
        assertThat(oldView).hasSize(6);

        try (RawImap a = proxy.connect().login("alice", "pw")) {
            long h1 = ImapLines.highestModSeq(a.command("a", "SELECT INBOX (CONDSTORE)"));
            List<String> st = a.command("b", "STORE 1 +FLAGS (\\Seen)");
            long m1 = ImapLines.fetch(st.get(0)).orElseThrow().modSeq();
            assertThat(m1).isGreaterThan(h1);
            long highestBeforeKill = Math.max(Math.max(oldModSeq, h1), m1);

            redis.stop(); // SIGKILL, while session A is selected

            // the session goes on: NOOP, FETCH FLAGS, STORE, EXPUNGE all work
            assertThat(ImapLines.tagged(a.command("c", "NOOP"))).startsWith("c OK");
            List<String> fetch = a.command("d", "FETCH 1:* (FLAGS)");
            assertThat(ImapLines.tagged(fetch)).startsWith("d OK");
            assertThat(fetch.stream().filter(l -> l.matches("\\* \\d FETCH \\(.*")))
                    .hasSize(6);
            List<String> store2 = a.command("e", "STORE 2 +FLAGS (\\Flagged)");
            assertThat(ImapLines.tagged(store2)).startsWith("e OK");
            assertThat(store2.get(0)).startsWith("* 2 FETCH").contains("\\Flagged");
            assertThat(ImapLines.tagged(a.command("f", "UID STORE 3 +FLAGS (\\Deleted)")))
                    .startsWith("f OK");
            List<String> expunge = a.command("g", "EXPUNGE");
            assertThat(expunge).containsExactly("* 3 EXPUNGE", expunge.get(1));
            assertThat(ImapLines.tagged(expunge)).startsWith("g OK");

            // a new SELECT (CONDSTORE), in this session and in a fresh one, says NOMODSEQ (RFC 7162 3.1.2.2)
            List<String> again = a.command("h", "SELECT INBOX (CONDSTORE)");
            assertThat(ImapLines.tagged(again)).startsWith("h OK");
            assertThat(again)
                    .anyMatch(l -> l.startsWith("* OK [NOMODSEQ]"))
                    .noneMatch(l -> l.contains("HIGHESTMODSEQ"));
            assertThat(ImapLines.tagged(a.command("i", "FETCH 1 (FLAGS MODSEQ)")))
                    .startsWith("i BAD");
            assertThat(ImapLines.tagged(a.command("j", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + oldModSeq + ")")))
                    .startsWith("j BAD");
            try (RawImap b = proxy.connect().login("alice", "pw")) {
                assertThat(b.command("e", "ENABLE QRESYNC")).contains("* ENABLED QRESYNC");
                // RFC 7162 3.2.5.1: without persistent mod-sequences the QRESYNC parameters are ignored
                List<String> sel = b.command("s", "SELECT INBOX (QRESYNC (" + uidValidity + " " + oldModSeq + "))");
                assertThat(ImapLines.tagged(sel)).startsWith("s OK");
                assertThat(sel)
                        .anyMatch(l -> l.startsWith("* OK [NOMODSEQ]"))
                        .noneMatch(l -> l.contains("HIGHESTMODSEQ") || l.contains("VANISHED") || l.contains("FETCH"));
                assertThat(ImapLines.tagged(b.command("t", "SEARCH MODSEQ 1"))).startsWith("t BAD");
                assertThat(b.command("u", "SEARCH FLAGGED").get(0)).isEqualTo("* SEARCH 2");
                // RFC 7162 3.1.7 (as 3.1.2.2 reads for STATUS): 0 for a mailbox without persistent mod-sequences
                assertThat(b.command("v", "STATUS INBOX (MESSAGES HIGHESTMODSEQ)")
                                .get(0))
                        .isEqualTo("* STATUS INBOX (MESSAGES 5 HIGHESTMODSEQ 0)");
            }

            // Redis comes back, empty. The circuit closes once its probe gets an answer.
            redis.restart();
            Awaitility.await()
                    .atMost(10, TimeUnit.SECONDS)
                    .pollInterval(Duration.ofMillis(50))
                    .until(store::available);
            assertThat(ImapLines.tagged(a.command("k", "NOOP"))).startsWith("k OK");
            assertThat(a.command("l", "FETCH 2 (FLAGS)").get(0))
                    .startsWith("* 2 FETCH")
                    .contains("\\Flagged");

            try (RawImap c = proxy.connect().login("alice", "pw")) {
                List<String> sel = c.command("s", "SELECT INBOX (CONDSTORE)");
                long h2 = ImapLines.highestModSeq(sel);
                // state was lost: HIGHESTMODSEQ restarts from the clock (ModSeqClock), above everything handed out
                // before
                assertThat(h2).isGreaterThan(highestBeforeKill).isLessThan(1_000_000_000_000L);
                assertThat(sel).noneMatch(l -> l.contains("NOMODSEQ"));
            }
        }

        // the client comes back from its old modseq: the answer may be fuller than needed, but must be complete
        TreeMap<Long, Flags> truth = BackendTruth.flags("127.0.0.1", backend.port(), "alice", "pw", "INBOX");
        assertThat(truth.keySet()).containsExactly(1L, 2L, 4L, 5L, 6L);
        for (String known : new String[] {"", " 1:6"}) {
            TreeMap<Long, Flags> view = new TreeMap<>(oldView);
            try (RawImap d = proxy.connect().login("alice", "pw")) {
                d.ok("e", "ENABLE QRESYNC");
                List<String> sel =
                        d.command("s", "SELECT INBOX (QRESYNC (" + uidValidity + " " + oldModSeq + known + "))");
                assertThat(ImapLines.tagged(sel)).startsWith("s OK");
                for (String l : sel) {
                    ImapLines.vanished(l).ifPresent(v -> {
                        UidSet gone = v.uids();
                        view.keySet().removeIf(gone::contains);
                    });
                    ImapLines.fetch(l).ifPresent(f -> view.put(f.uid(), f.flags()));
                }
                assertThat(view)
                        .as("QRESYNC from " + oldModSeq + known + ": " + sel)
                        .isEqualTo(truth);
            }
        }
    }

    @Test
    void redisDownWhenTheProxyStarts() {
        int nobody = Loopback.unusedPort();
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), "redis://127.0.0.1:" + nobody, c -> {});
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            // still advertised (RFC 7162 3.1.2.2: the answer is NOMODSEQ, not a missing capability)
            assertThat(c.command("x", "CAPABILITY").get(0)).contains("CONDSTORE", "QRESYNC");
            long t0 = System.nanoTime();
            List<String> sel = c.command("a", "SELECT INBOX (CONDSTORE)");
            assertThat(ImapLines.tagged(sel)).startsWith("a OK");
            assertThat(sel)
                    .contains("* 6 EXISTS")
                    .anyMatch(l -> l.startsWith("* OK [NOMODSEQ]"))
                    .noneMatch(l -> l.contains("HIGHESTMODSEQ"));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            // plain commands work
            List<String> fetch = c.command("b", "FETCH 1:* (UID FLAGS)");
            assertThat(fetch).hasSize(7);
            List<String> store = c.command("c", "STORE 1 +FLAGS (\\Seen)");
            assertThat(store.get(0)).startsWith("* 1 FETCH").contains("\\Seen").doesNotContain("MODSEQ");
            assertThat(c.command("d", "SEARCH SEEN").get(0)).isEqualTo("* SEARCH 1");
            assertThat(c.command("e", "UID STORE 6 +FLAGS (\\Deleted)").get(0)).contains("\\Deleted");
            assertThat(c.command("f", "EXPUNGE")).startsWith("* 6 EXPUNGE");
            // the CONDSTORE parts get BAD (RFC 7162 3.1.2.2)
            assertThat(ImapLines.tagged(c.command("g", "FETCH 1 (MODSEQ)"))).startsWith("g BAD");
            assertThat(ImapLines.tagged(c.command("h", "FETCH 1:* (FLAGS) (CHANGEDSINCE 1)")))
                    .startsWith("h BAD");
            assertThat(ImapLines.tagged(c.command("i", "STORE 1 (UNCHANGEDSINCE 5) +FLAGS (\\Answered)")))
                    .startsWith("i BAD");
            assertThat(ImapLines.tagged(c.command("j", "SEARCH MODSEQ 1"))).startsWith("j BAD");
            assertThat(ImapLines.tagged(c.command("k", "LOGOUT"))).startsWith("k OK");
        }
        assertThat(BackendTruth.flags("127.0.0.1", backend.port(), "alice", "pw", "INBOX")
                        .keySet())
                .containsExactly(1L, 2L, 3L, 4L, 5L);
    }
}

package org.modseqproxy.proxy.multi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.modseqproxy.proxy.testing.BackendTruth;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.ProxyJarProcess;
import org.modseqproxy.proxy.testing.QresyncClient;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.MailboxSnapshot;
import org.modseqproxy.state.MessageState;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.ModSeqStores;
import org.modseqproxy.state.StoreOptions;
import org.modseqproxy.state.testing.RedisServerExtension;

/**
 * Issue 5, "A proxy instance killed (SIGKILL) mid-sync: no half-applied state visible to the other instance". The proxy
 * runs as a child process ({@code modseq-proxy run --state redis://...}); a client SELECTs a big mailbox through it and
 * the process gets SIGKILL (its own PID) at several points of the SELECT-time sync: during the listing, around the
 * big Lua script. Then, through an independent store object and a second (in-JVM) instance: the mailbox state is
 * either the old one or the complete new one, never a mix, and a QRESYNC resync gives the backend's truth.
 * One kill of each kind is aimed just after Redis applied the sync (the test polls HIGHESTMODSEQ in Redis and kills
 * the moment it moves), before the proxy answers its client. Redis runs each script atomically, so a kill can only
 * land before or after it; the test proves the proxy never splits one sync into several writes.
 * Size: {@code -Dmodseq.multi.bigMailbox=N} (default 2000 messages).
 */
class ProxyKilledMidSyncTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    static final int N = Integer.getInteger("modseq.multi.bigMailbox", 2000);
    static final MailboxId INBOX = new MailboxId("b1", "alice", "INBOX");

    GreenMailBackend backend;
    ModSeqStore inspect;

    @BeforeEach
    void start() {
        REDIS.server().flushAll();
        backend = new GreenMailBackend();
        var alice = backend.user("alice", "pw");
        long t = System.nanoTime();
        for (int i = 1; i <= N; i++) {
            backend.deliver(alice, "m" + i, "b");
        }
        System.out.printf("MULTI kill: delivered %d messages in %d ms%n", N, (System.nanoTime() - t) / 1_000_000);
        inspect = ModSeqStores.create(
                REDIS.server().uri(), StoreOptions.defaults().withNearCacheMaxMailboxes(0));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(inspect::available);
    }

    @AfterEach
    void stop() {
        inspect.close();
        backend.close();
    }

    @Test
    void sigkillDuringFirstSyncAndDuringABigDiffLeavesOldOrCompleteState() throws Exception {
        long uv = BackendTruth.uidValidity("127.0.0.1", backend.port(), "alice", "pw", "INBOX");
        // how long the SELECT-time first sync of N messages takes through a child proxy (then forget its state)
        long firstSyncNanos;
        try (ProxyJarProcess p =
                        ProxyJarProcess.start(backend.port(), REDIS.server().uri());
                RawImap c = p.connect().login("alice", "pw")) {
            long t = System.nanoTime();
            assertThat(c.command("s", "SELECT INBOX (CONDSTORE)")).anyMatch(l -> l.contains("[HIGHESTMODSEQ "));
            firstSyncNanos = System.nanoTime() - t;
        }
        System.out.printf(
                "MULTI kill: first sync of %d messages through a child proxy took %d ms%n",
                N, firstSyncNanos / 1_000_000);
        List<String> outcomes = new ArrayList<>();

        // 1) killed during the FIRST sync (state absent before): afterwards absent or complete
        for (double at : new double[] {0.6, -1}) {
            inspect.delete(INBOX).toCompletableFuture().get(10, TimeUnit.SECONDS);
            killDuringSelect(at < 0 ? -1 : (long) (firstSyncNanos * at));
            Optional<MailboxSnapshot> s = load(uv);
            if (s.isEmpty()) {
                outcomes.add("first sync, kill at " + label(at) + ": no state");
            } else {
                assertOneCompleteBatch(s.get(), N, null);
                outcomes.add("first sync, kill at " + label(at) + ": complete ("
                        + s.get().size() + " messages, one modseq)");
            }
        }

        // 2) killed during a sync with N flag changes made directly on the backend: old flags or all new flags
        QresyncClient old;
        try (ProxyFixture second =
                ProxyFixture.start("127.0.0.1", backend.port(), REDIS.server().uri(), c -> {})) {
            old = QresyncClient.fullFrom(second, "alice", "pw", "INBOX").after();
        }
        long hmsOld = old.highestModSeq();
        int round = 0;
        for (double at : new double[] {0.6, -1}) {
            String flag = "$K" + round++;
            try (RawImap direct = RawImap.connect("127.0.0.1", backend.port())) {
                direct.login("alice", "pw");
                direct.ok("a", "SELECT INBOX");
                direct.ok("b", "STORE 1:* +FLAGS.SILENT (" + flag + ")");
                direct.ok("c", "LOGOUT");
            }
            MailboxSnapshot before = load(uv).orElseThrow();
            killDuringSelect(at < 0 ? -1 : (long) (firstSyncNanos * at));
            MailboxSnapshot after = load(uv).orElseThrow();
            long withFlag = after.messages().stream()
                    .filter(m -> m.flags().contains(flag))
                    .count();
            assertThat(withFlag)
                    .as("messages with %s after the kill (all or none)", flag)
                    .isIn(0L, (long) N);
            if (withFlag == 0) {
                assertThat(after.highestModSeq()).isEqualTo(before.highestModSeq());
                outcomes.add("diff sync, kill at " + label(at) + ": old state");
            } else {
                assertOneCompleteBatch(after, N, before.highestModSeq());
                outcomes.add("diff sync, kill at " + label(at) + ": complete new state");
            }
        }
        outcomes.forEach(o -> System.out.println("MULTI kill: " + o));

        // 3) a second instance resyncs a client from before all this: exactly the backend's truth
        Map<Long, Flags> truth = BackendTruth.flags("127.0.0.1", backend.port(), "alice", "pw", "INBOX");
        try (ProxyFixture second = ProxyFixture.start(
                        "127.0.0.1", backend.port(), REDIS.server().uri(), c -> {});
                RawImap c = second.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            QresyncClient.Resync r = old.resync(c, "INBOX", "q", true);
            assertThat(r.problems()).isEmpty();
            assertThat(BackendTruth.diff(truth, r.after().cache())).isEmpty();
            assertThat(r.after().highestModSeq()).isGreaterThan(hmsOld);
        }
    }

    /**
     * Starts a child proxy, SELECTs through it, SIGKILLs it after {@code delayNanos}, or, when that is negative, the
     * moment the mailbox's HIGHESTMODSEQ in Redis changes (the sync was applied; the client has no answer yet).
     */
    private void killDuringSelect(long delayNanos) throws Exception {
        String meta = "ms:{" + INBOX.tag() + "}:m";
        Object hmsBefore = REDIS.server().call("HGET", meta, "hms");
        try (ProxyJarProcess p =
                        ProxyJarProcess.start(backend.port(), REDIS.server().uri());
                RawImap c = p.connect().login("alice", "pw")) {
            c.send("s SELECT INBOX (CONDSTORE)\r\n");
            if (delayNanos >= 0) {
                TimeUnit.NANOSECONDS.sleep(delayNanos);
            } else {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < deadline
                        && java.util.Objects.equals(hmsBefore, REDIS.server().call("HGET", meta, "hms"))) {
                    Thread.onSpinWait();
                }
            }
            p.kill9();
            assertThat(p.isAlive()).isFalse();
        }
    }

    private static String label(double at) {
        return at < 0 ? "'HIGHESTMODSEQ moved in Redis'" : at + " x first-sync time";
    }

    private Optional<MailboxSnapshot> load(long uv) throws Exception {
        return inspect.load(INBOX, uv).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /**
     * The state holds all {@code n} messages and everything above {@code sinceOrNull} has one mod-sequence, the
     * HIGHESTMODSEQ (one batch; a first sync gives every message that one value).
     */
    private static void assertOneCompleteBatch(MailboxSnapshot s, int n, Long sinceOrNull) {
        assertThat(s.size()).isEqualTo(n);
        List<MessageState> changed = sinceOrNull == null ? s.messages() : s.changedSince(sinceOrNull);
        Set<Long> modSeqs = new TreeSet<>();
        changed.forEach(m -> modSeqs.add(m.modSeq()));
        assertThat(changed).hasSize(n);
        assertThat(modSeqs).containsExactly(s.highestModSeq());
    }
}

package org.modseqproxy.proxy.multi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.BackendTruth;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.StoreOptions;
import org.modseqproxy.state.testing.RedisSecurity;
import org.modseqproxy.state.testing.RedisSentinelFixture;
import org.modseqproxy.state.testing.TestCertificates;

/**
 * Issue 5, Sentinel "with TLS and AUTH/ACL user+password", configured the way an operator does it: state.store
 * {@code rediss-sentinel://s1,s2,s3#modseq} (no secret in it), state.username/state.password for the data nodes'
 * least-privilege ACL user, state.sentinel.password for the sentinels' own requirepass, state.tls.caFile for the
 * private CA that signed every sentinel and data node. Every Redis port speaks TLS only and wants a login. The master is SIGKILLed between two client sessions: a SELECT during the switch is
 * still OK (NOMODSEQ at worst, RFC 7162 3.1.2.2), then HIGHESTMODSEQ comes back above everything handed out before
 * and a QRESYNC from before the kill gives the backend's truth. Traffic during the switch is SentinelFailoverTest's
 * subject; this one is about the secured path.
 */
class SentinelTlsAclProxyTest {
    static final TestCertificates CERTS = TestCertificates.loopback();
    static final String LEAST_PRIVILEGE = "~ms:* resetchannels +@all -@dangerous +info";

    RedisSentinelFixture sentinel;
    GreenMailBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        sentinel = RedisSentinelFixture.start(
                RedisSecurity.tls(CERTS).withUser("modseq", "Sn-Pa55", LEAST_PRIVILEGE),
                1,
                new StoreOptions.Credentials(null, "Watch-Pa55"));
        backend = GreenMailBackend.withNoDelay();
        var alice = backend.user("alice", "pw");
        for (int i = 1; i <= 4; i++) {
            backend.deliver(alice, "m" + i, "body " + i);
        }
        proxy = ProxyFixture.start(
                "127.0.0.1",
                backend.port(),
                sentinel.uriWithoutCredentials(),
                c -> c.set("state.username", "modseq")
                        .set("state.password", "Sn-Pa55")
                        .set("state.sentinel.password", "Watch-Pa55")
                        .set("state.tls.caFile", CERTS.caFile().toString()));
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        backend.close();
        sentinel.close();
    }

    @Test
    void qresyncOverRedissSentinelSurvivesAFailover() throws Exception {
        assertThat(sentinel.uriWithoutCredentials()).startsWith("rediss-sentinel://127.0.0.1:");
        Awaitility.await()
                .atMost(10, TimeUnit.SECONDS)
                .until(() -> proxy.store().available());
        long uidValidity;
        long h1;
        long maxBefore;
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            List<String> sel = c.command("s", "SELECT INBOX");
            assertThat(ImapLines.tagged(sel)).startsWith("s OK");
            assertThat(sel).contains("* 4 EXISTS").noneMatch(l -> l.contains("NOMODSEQ"));
            uidValidity = ImapLines.uidValidity(sel);
            h1 = ImapLines.highestModSeq(sel);
            List<String> st = c.command("t", "UID STORE 2 +FLAGS (\\Flagged)");
            maxBefore = ImapLines.fetch(st.get(0)).orElseThrow().modSeq();
            assertThat(maxBefore).isGreaterThan(h1);
        }
        int master = sentinel.masterPort();
        // the state is on the master the sentinels named, written by the ACL user over TLS
        assertThat((Long) sentinel.callDataNode(master, "DBSIZE")).isPositive();
        assertThat((String) sentinel.callDataNode(master, "CLIENT", "LIST")).contains("user=modseq ");

        sentinel.killMaster();
        long t0 = System.nanoTime();
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            // during the switch: OK, with NOMODSEQ or (once the store is back) HIGHESTMODSEQ, never an error
            List<String> sel = c.command("s", "SELECT INBOX (CONDSTORE)");
            assertThat(ImapLines.tagged(sel)).startsWith("s OK");
            assertThat(sel).contains("* 4 EXISTS");
        }
        int promoted = sentinel.awaitFailover(Duration.ofSeconds(30));
        assertThat(promoted).isNotEqualTo(master);

        long[] h2 = {0};
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            int[] n = {0};
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        List<String> sel = c.command("w" + n[0]++, "SELECT INBOX (CONDSTORE)");
                        h2[0] = sel.stream().anyMatch(l -> l.contains("[HIGHESTMODSEQ "))
                                ? ImapLines.highestModSeq(sel)
                                : 0L;
                        return h2[0] > 0;
                    });
        }
        System.out.printf(
                "SENTINEL TLS+ACL proxy: master %d -> %d, SELECT with HIGHESTMODSEQ again %d ms after the" + " kill%n",
                master, promoted, (System.nanoTime() - t0) / 1_000_000);
        // the promoted replica's history is new: the state restarted above everything handed out before (RFC 7162 3.1)
        assertThat(h2[0]).isGreaterThan(maxBefore);

        // a client that was in sync before the kill resyncs to the backend's truth: every message comes back, with
        // mod-sequences above the one it knew (a fuller resync, the documented price of a failover)
        Map<Long, Flags> truth = BackendTruth.flags("127.0.0.1", backend.port(), "alice", "pw", "INBOX");
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            List<String> sel = c.command("q", "SELECT INBOX (QRESYNC (" + uidValidity + " " + maxBefore + "))");
            assertThat(ImapLines.tagged(sel)).startsWith("q OK");
            Map<Long, Flags> seen = new TreeMap<>();
            for (String l : sel) {
                ImapLines.fetch(l).ifPresent(f -> {
                    assertThat(f.modSeq()).isGreaterThan(maxBefore);
                    seen.put(f.uid(), f.flags());
                });
            }
            assertThat(BackendTruth.diff(truth, seen)).isEmpty();
            assertThat(seen.get(2L).contains("\\Flagged")).isTrue();
        }
        assertThat((String) sentinel.callDataNode(promoted, "CLIENT", "LIST")).contains("user=modseq ");
    }
}

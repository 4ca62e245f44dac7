package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.state.testing.RedisSecurity;
import org.modseqproxy.state.testing.RedisServerFixture;
import org.modseqproxy.state.testing.TestCertificates;

/**
 * The proxy on a Redis that speaks only TLS (private CA) and wants an ACL login, configured the way an operator
 * does it (state.store, state.username, state.password, state.tls.*), with clients on real sockets in front of
 * GreenMail. A wrong password must not break IMAP: SELECT says OK [NOMODSEQ] and everything else works
 * (RFC 7162 3.1.2.2).
 */
class RedisTlsAclProxyTest {
    static final TestCertificates CERTS = TestCertificates.loopback();
    GreenMailBackend backend;
    RedisServerFixture redis;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        backend = GreenMailBackend.withNoDelay();
        var alice = backend.user("alice", "pw");
        for (int i = 1; i <= 4; i++) {
            backend.deliver(alice, "m" + i, "body " + i);
        }
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (redis != null) {
            redis.close();
        }
        backend.close();
    }

    private ProxyFixture proxyWithPassword(String password) {
        return ProxyFixture.start(
                "127.0.0.1",
                backend.port(),
                redis.uriWithoutCredentials(),
                c -> c.set("state.username", "modseq")
                        .set("state.password", password)
                        .set("state.tls.caFile", CERTS.caFile().toString()));
    }

    @Test
    void qresyncThroughRedissWithAnAclUser() throws Exception {
        redis = RedisServerFixture.start(
                RedisSecurity.tls(CERTS).withUser("modseq", "Rd-Pa55", "~ms:* +@all -@dangerous +info"));
        proxy = proxyWithPassword("Rd-Pa55");
        Awaitility.await()
                .atMost(10, TimeUnit.SECONDS)
                .until(() -> proxy.store().available());
        long uidValidity;
        long h1;
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            assertThat(c.command("e", "ENABLE QRESYNC")).contains("* ENABLED QRESYNC");
            List<String> sel = c.command("s", "SELECT INBOX");
            assertThat(ImapLines.tagged(sel)).startsWith("s OK");
            assertThat(sel).contains("* 4 EXISTS").noneMatch(l -> l.contains("NOMODSEQ"));
            uidValidity = ImapLines.uidValidity(sel);
            h1 = ImapLines.highestModSeq(sel);
            List<String> st = c.command("t", "UID STORE 2 +FLAGS (\\Flagged)");
            assertThat(ImapLines.fetch(st.get(0)).orElseThrow().modSeq()).isGreaterThan(h1);
        }
        // the state really is in that Redis, under the ACL user's key pattern
        @SuppressWarnings("unchecked")
        List<Object> keys = (List<Object>) redis.call("KEYS", "ms:*");
        assertThat(keys).isNotEmpty();
        // a client resyncing from h1 learns exactly the one change
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            List<String> sel = c.command("s", "SELECT INBOX (QRESYNC (" + uidValidity + " " + h1 + "))");
            assertThat(ImapLines.tagged(sel)).startsWith("s OK");
            assertThat(sel.stream().filter(l -> l.contains(" FETCH ")).toList())
                    .singleElement()
                    .satisfies(l -> assertThat(l)
                            .contains("UID 2")
                            .contains("\\Flagged")
                            .contains("MODSEQ"));
        }
    }

    @Test
    void wrongRedisPasswordMeansNomodseqAndTheSessionStillWorks() throws Exception {
        redis = RedisServerFixture.start(RedisSecurity.tls(CERTS).withUser("modseq", "Rd-Pa55"));
        proxy = proxyWithPassword("not-the-password");
        Awaitility.await()
                .atMost(10, TimeUnit.SECONDS)
                .until(() -> !proxy.store().available());
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            // still advertised: the answer is NOMODSEQ, not a missing capability (RFC 7162 3.1.2.2)
            assertThat(c.command("x", "CAPABILITY").get(0)).contains("CONDSTORE", "QRESYNC");
            assertThat(c.command("e", "ENABLE QRESYNC")).contains("* ENABLED QRESYNC");
            long t0 = System.nanoTime();
            List<String> sel = c.command("s", "SELECT INBOX");
            assertThat(ImapLines.tagged(sel)).startsWith("s OK");
            assertThat(sel)
                    .contains("* 4 EXISTS")
                    .anyMatch(l -> l.startsWith("* OK [NOMODSEQ]"))
                    .noneMatch(l -> l.contains("HIGHESTMODSEQ"));
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
            assertThat(c.command("f", "FETCH 1:* (UID FLAGS)")).hasSize(5);
            assertThat(c.command("t", "STORE 1 +FLAGS (\\Seen)").get(0))
                    .contains("\\Seen")
                    .doesNotContain("MODSEQ");
            assertThat(c.command("h", "SEARCH SEEN").get(0)).isEqualTo("* SEARCH 1");
            assertThat(ImapLines.tagged(c.command("m", "FETCH 1 (MODSEQ)"))).startsWith("m BAD");
            assertThat(ImapLines.tagged(c.command("l", "LOGOUT"))).startsWith("l OK");
        }
        assertThat(redis.call("DBSIZE")).isEqualTo(0L);
    }

    @Test
    void mutualTlsFromTheConfigKeys() throws Exception {
        redis = RedisServerFixture.start(
                RedisSecurity.tls(CERTS).withClientCertRequired().withUser("modseq", "Rd-Pa55"));
        proxy = ProxyFixture.start(
                "127.0.0.1",
                backend.port(),
                redis.uri(),
                c -> c.set("state.tls.caFile", CERTS.caFile().toString())
                        .set("state.tls.certFile", CERTS.clientCertFile().toString())
                        .set("state.tls.keyFile", CERTS.clientKeyFile().toString()));
        Awaitility.await()
                .atMost(10, TimeUnit.SECONDS)
                .until(() -> proxy.store().available());
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            List<String> sel = c.command("s", "SELECT INBOX (CONDSTORE)");
            assertThat(ImapLines.highestModSeq(sel)).isPositive();
        }
    }
}

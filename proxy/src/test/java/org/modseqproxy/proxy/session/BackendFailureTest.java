package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.FakeImapServer;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.Loopback;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.proxy.testing.TcpRelay;

/**
 * Issue 2, "a backend that refuses, drops or stalls: the client gets a clean * BYE and close, within a configured
 * timeout. A client that vanishes: the backend connection is closed (LOGOUT sent)." Every backend here is a real
 * socket: a port nobody listens on, a {@link FakeImapServer} that misbehaves on purpose, or a {@link TcpRelay} in
 * front of GreenMail that the test freezes or cuts.
 */
class BackendFailureTest {
    /** Both backend timeouts are 1 s; a verdict may take that long plus this much scheduling slack (2 busy cores). */
    private static final long TIMEOUT_MS = 1000;

    private static final long SLACK_MS = 1500;

    static GreenMailBackend greenMail;

    @BeforeAll
    static void startGreenMail() {
        greenMail = new GreenMailBackend();
        var alice = greenMail.user("alice", "secret");
        for (int i = 1; i <= 3; i++) {
            greenMail.deliver(alice, "msg " + i, "body " + i);
        }
    }

    @AfterAll
    static void stopGreenMail() {
        greenMail.close();
    }

    private static ProxyFixture proxyFor(int backendPort, String connectTimeout) {
        return ProxyFixture.start(
                "127.0.0.1",
                backendPort,
                "memory",
                c -> c.set("backend.connectTimeout", connectTimeout).set("backend.responseTimeout", TIMEOUT_MS + "ms"));
    }

    private static ProxyFixture proxyFor(int backendPort) {
        return proxyFor(backendPort, TIMEOUT_MS + "ms");
    }

    /** GreenMail's handler threads throw when a relay is cut; those are not this test's failures. */
    private static org.awaitility.core.ConditionFactory eventually() {
        return await().dontCatchUncaughtExceptions();
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /**
     * LOGIN when the backend failed: one line, a tagged NO [UNAVAILABLE] (RFC 5530: the failure is the server's, not the
     * client's credentials) that does not echo the password. Returns how long the answer took, in ms.
     */
    private static long loginGetsUnavailable(RawImap c) {
        long t0 = System.nanoTime();
        List<String> lines = c.command("a", "LOGIN alice secret");
        long took = millisSince(t0);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("a NO [UNAVAILABLE] ").doesNotContain("secret");
        return took;
    }

    /** After a LOGIN that failed for backend reasons the session is still usable: LOGOUT ends it cleanly. */
    private static void logoutCleanly(RawImap c) {
        List<String> bye = c.command("z", "LOGOUT");
        assertThat(bye.get(0)).startsWith("* BYE");
        assertThat(bye.get(1)).startsWith("z OK");
        assertThat(c.closedByServer()).isTrue();
    }

    /** What a client sees when its backend dies: one * BYE, then EOF; and the proxy drops the session. */
    private static void assertByeThenEof(RawImap c, ProxyFixture proxy) {
        assertThat(c.readLine()).startsWith("* BYE ");
        assertThat(c.readLine()).as("nothing after BYE, then EOF").isNull();
        eventually().atMost(Duration.ofSeconds(30)).until(() -> proxy.sessions() == 0);
    }

    // ---- (a) refused, (b) dropped, (c) no greeting: LOGIN gets a tagged NO [UNAVAILABLE] ---------------------------

    @Test
    void refusedConnectionAnswersLoginWithNoUnavailable() throws Exception {
        int port = Loopback.unusedPort();
        try (ProxyFixture proxy = proxyFor(port);
                RawImap c = proxy.connect()) {
            c.greeting();
            assertThat(proxy.proxy().backendHealth().reachable()).isTrue();
            long t0 = System.nanoTime();
            List<String> lines = c.command("a", "LOGIN alice secret");
            assertThat(millisSince(t0)).isLessThan(TIMEOUT_MS + SLACK_MS);
            // issue 10: the internal address and the resolver's words are the operator's, not the client's
            assertThat(lines)
                    .singleElement()
                    .satisfies(l -> assertThat(l)
                            .startsWith("a NO [UNAVAILABLE] ")
                            .doesNotContain("secret", "127.0.0.1", Integer.toString(port), "refused"));
            assertThat(proxy.proxy().backendHealth().reachable())
                    .as("/ready's backend check")
                    .isFalse();
            logoutCleanly(c);
            eventually().atMost(Duration.ofSeconds(30)).until(() -> proxy.sessions() == 0);
            // once something listens there again, the probe finds it without any client traffic
            try (java.net.ServerSocket back =
                    new java.net.ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress())) {
                eventually()
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> proxy.proxy().backendHealth().reachable());
            }
        }
    }

    @Test
    void backendClosingAtOnceIsReportedWithoutWaitingForTheConnectTimeout() {
        // A long connect timeout: a dropped connection is known at once and must not wait for the timer.
        try (FakeImapServer fake = new FakeImapServer(FakeImapServer.Behaviour.CLOSE_AT_ONCE);
                ProxyFixture proxy = proxyFor(fake.port(), "4s");
                RawImap c = proxy.connect()) {
            c.greeting();
            long took = loginGetsUnavailable(c);
            assertThat(took)
                    .as("ms until the client learns the backend dropped it")
                    .isLessThan(2000);
            logoutCleanly(c);
        }
    }

    @Test
    void backendClosingRightAfterItsGreetingFailsTheLoginPromptly() {
        // The proxy asks CAPABILITY after a greeting without a CAPABILITY code; the backend closes instead of
        // answering.
        try (FakeImapServer fake = new FakeImapServer(FakeImapServer.Behaviour.CLOSE_AFTER_GREETING);
                ProxyFixture proxy = proxyFor(fake.port());
                RawImap c = proxy.connect()) {
            c.greeting();
            c.setTimeout((int) (TIMEOUT_MS + SLACK_MS + 3000));
            long took = loginGetsUnavailable(c);
            assertThat(took).isLessThan(TIMEOUT_MS + SLACK_MS);
            assertThat(fake.received()).containsOnly("p1 CAPABILITY"); // the start-up probe asks too (auth.relay)
            logoutCleanly(c);
        }
    }

    @Test
    void backendThatNeverGreetsTimesOutAfterConnectTimeoutAndNeverSeesCredentials() {
        try (FakeImapServer fake = new FakeImapServer(FakeImapServer.Behaviour.NEVER_GREET);
                ProxyFixture proxy = proxyFor(fake.port());
                RawImap c = proxy.connect()) {
            c.greeting();
            long took = loginGetsUnavailable(c);
            assertThat(took).isBetween(TIMEOUT_MS - 100, TIMEOUT_MS + SLACK_MS);
            // RFC 9051 7.1: nothing may be sent before the greeting; above all not the password.
            assertThat(fake.received()).noneMatch(l -> l.contains("secret"));
            logoutCleanly(c);
        }
    }

    // ---- (d) stalls during a command: * BYE and close after backend.responseTimeout -------------------------------

    @Test
    void backendStallingDuringACommandGetsByeAndCloseAfterResponseTimeout() {
        try (FakeImapServer fake = new FakeImapServer(FakeImapServer.Behaviour.STALL_AFTER_LOGIN);
                ProxyFixture proxy = proxyFor(fake.port());
                RawImap c = proxy.connect()) {
            c.greeting();
            assertThat(c.ok("a", "LOGIN alice secret")).startsWith("a OK");
            long t0 = System.nanoTime();
            c.send("b SELECT INBOX\r\n");
            String line = c.readLine();
            long took = millisSince(t0);
            assertThat(line).startsWith("* BYE ");
            assertThat(took).isBetween(TIMEOUT_MS - 100, TIMEOUT_MS + SLACK_MS);
            c.setTimeout(3000);
            assertThat(c.readLine()).as("nothing after BYE, then EOF").isNull();
            assertThat(fake.received()).anyMatch(l -> l.endsWith("SELECT INBOX"));
            eventually().atMost(Duration.ofSeconds(30)).until(() -> proxy.sessions() == 0);
        }
    }

    @Test
    void frozenRealBackendGetsByeAndCloseAfterResponseTimeout() {
        try (TcpRelay relay = new TcpRelay("127.0.0.1", greenMail.port());
                ProxyFixture proxy = proxyFor(relay.port());
                RawImap c = proxy.connect()) {
            c.login("alice", "secret");
            c.ok("b", "SELECT INBOX");
            relay.freeze();
            long t0 = System.nanoTime();
            c.send("c FETCH 1:* (FLAGS)\r\n");
            String line = c.readLine();
            long took = millisSince(t0);
            assertThat(line).startsWith("* BYE ");
            assertThat(took).isBetween(TIMEOUT_MS - 100, TIMEOUT_MS + SLACK_MS);
            c.setTimeout(3000);
            assertThat(c.readLine()).isNull();
            eventually().atMost(Duration.ofSeconds(30)).until(() -> proxy.sessions() == 0);
        }
    }

    @Test
    void silentBackendDuringIdleIsNormalAndNotATimeout() {
        // RFC 2177: during IDLE the server speaks only when something happens; the response timeout must not apply.
        try (TcpRelay relay = new TcpRelay("127.0.0.1", greenMail.port());
                ProxyFixture proxy = proxyFor(relay.port());
                RawImap c = proxy.connect()) {
            c.login("alice", "secret");
            c.ok("b", "SELECT INBOX");
            c.send("c IDLE\r\n");
            assertThat(c.readLine()).startsWith("+");
            c.setTimeout((int) (2 * TIMEOUT_MS + 500));
            assertThatThrownBy(c::readLine)
                    .isInstanceOf(UncheckedIOException.class)
                    .hasCauseInstanceOf(SocketTimeoutException.class);
            c.setTimeout(5000);
            c.send("DONE\r\n");
            assertThat(c.readUntilTagged("c")).last().asString().startsWith("c OK");
            assertThat(c.ok("d", "NOOP")).startsWith("d OK");
        }
    }

    // ---- (e) dies mid-session: * BYE then EOF ---------------------------------------------------------------------

    @Test
    void backendDyingBetweenCommandsGivesByeThenEof() {
        try (TcpRelay relay = new TcpRelay("127.0.0.1", greenMail.port());
                ProxyFixture proxy = proxyFor(relay.port());
                RawImap c = proxy.connect()) {
            c.login("alice", "secret");
            c.ok("b", "SELECT INBOX");
            c.setTimeout(3000);
            relay.cut();
            assertByeThenEof(c, proxy);
        }
    }

    @Test
    void backendDyingDuringIdleGivesByeThenEof() {
        try (TcpRelay relay = new TcpRelay("127.0.0.1", greenMail.port());
                ProxyFixture proxy = proxyFor(relay.port());
                RawImap c = proxy.connect()) {
            c.login("alice", "secret");
            c.ok("b", "SELECT INBOX");
            c.send("c IDLE\r\n");
            assertThat(c.readLine()).startsWith("+");
            c.setTimeout(3000);
            relay.cut();
            assertByeThenEof(c, proxy);
        }
    }

    @Test
    void backendDyingDuringAStreamedAppendGivesByeThenEof() throws Exception {
        try (TcpRelay relay = new TcpRelay("127.0.0.1", greenMail.port());
                ProxyFixture proxy = proxyFor(relay.port());
                RawImap c = proxy.connect()) {
            c.login("alice", "secret");
            c.send("a APPEND INBOX {10000000}\r\n");
            assertThat(c.readLine()).startsWith("+");
            byte[] chunk = ("Subject: cut\r\n\r\n" + "y".repeat(1024 * 1024 - 17))
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            c.send(chunk); // 1 MB of the 10 MB literal, then the backend dies
            Thread.sleep(200);
            c.setTimeout(3000);
            relay.cut();
            assertByeThenEof(c, proxy);
        }
    }

    // ---- a client that vanishes: the backend connection is logged out and closed -----------------------------------

    @Test
    void vanishedClientMakesTheProxyLogOutOfTheBackend() {
        try (TcpRelay relay = new TcpRelay("127.0.0.1", greenMail.port());
                ProxyFixture proxy = proxyFor(relay.port())) {
            RawImap c = proxy.connect();
            c.login("alice", "secret");
            c.ok("b", "SELECT INBOX");
            assertThat(proxy.sessions()).isEqualTo(1);
            TcpRelay.Link link = relay.linkThatSent("SELECT");
            c.close(); // no LOGOUT: the client just goes away
            eventually().atMost(Duration.ofSeconds(30)).until(link::ended);
            assertThat(link.sentByProxy()).containsPattern("\\r\\n\\S+ LOGOUT\\r\\n$");
            assertThat(proxy.sessions()).isZero();
        }
    }

    @Test
    void vanishedClientDuringIdleEndsIdleAndLogsOutOfTheBackend() {
        try (TcpRelay relay = new TcpRelay("127.0.0.1", greenMail.port());
                ProxyFixture proxy = proxyFor(relay.port())) {
            RawImap c = proxy.connect();
            c.login("alice", "secret");
            c.ok("b", "SELECT INBOX");
            c.send("c IDLE\r\n");
            assertThat(c.readLine()).startsWith("+");
            TcpRelay.Link link = relay.linkThatSent("SELECT");
            c.close();
            eventually().atMost(Duration.ofSeconds(30)).until(link::ended);
            assertThat(proxy.sessions()).isZero();
            // RFC 2177 + RFC 9051 6.1.3: the polite way out of IDLE is DONE, then LOGOUT.
            assertThat(link.sentByProxy()).containsPattern("IDLE\\r\\nDONE\\r\\n\\S+ LOGOUT\\r\\n$");
        }
    }
}

package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * Issue 10, defects 5 and 6: the pre-login side is slow to guess against and cheap to hold. Timing is only ever
 * asserted from below (a busy machine makes answers later, never earlier).
 */
class LoginThrottlingTest {
    GreenMailBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("alice", "pw", 1);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        backend.close();
    }

    private double refusals(String reason) {
        Counter c = proxy.metrics()
                .registry()
                .find(MeterNames.LOGIN_REFUSALS)
                .tag(MeterNames.TAG_REASON, reason)
                .counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void failedLoginsAreAnsweredLateAndTheThirdClosesTheConnection() {
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), "memory", c -> c.set("limits.loginFailureDelay", "1s"));
        try (RawImap c = proxy.connect()) {
            c.greeting();
            for (int i = 1; i <= 3; i++) {
                long t0 = System.nanoTime();
                List<String> no = c.command("a" + i, "LOGIN alice wrong" + i);
                assertThat((System.nanoTime() - t0) / 1_000_000)
                        .as("ms until failure %d was answered", i)
                        .isGreaterThanOrEqualTo(900);
                String tag = "a" + i;
                assertThat(no).singleElement().satisfies(l -> assertThat(l).startsWith(tag + " NO "));
            }
            assertThat(c.readLine()).as("closed after the third failure").isNull();
        }
        assertThat(refusals("failed")).isEqualTo(2);
        assertThat(refusals("too_many_failures")).isEqualTo(1);
        // a right password still works on a new connection
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            assertThat(c.ok("n", "NOOP")).startsWith("n OK");
        }
    }

    @Test
    void aConnectionThatNeverLogsInIsClosedWhateverItTrickles() {
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), "memory", c -> c.set("limits.loginTimeout", "1s"));
        try (RawImap c = proxy.connect()) {
            c.greeting();
            // an unfinished line, a byte at a time: before the fix each byte reset the idle timer
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        try {
                            c.send("x");
                        } catch (RuntimeException e) {
                            return true; // the proxy closed the socket
                        }
                        return proxy.sessions() == 0;
                    });
            String bye = c.readLine();
            assertThat(bye).startsWith("* BYE");
        }
        assertThat(refusals("login_timeout")).isEqualTo(1);
    }

    @Test
    void connectionsPerAddressAreCapped() {
        proxy = ProxyFixture.start(
                "127.0.0.1", backend.port(), "memory", c -> c.set("limits.maxConnectionsPerIp", "2"));
        try (RawImap a = proxy.connect();
                RawImap b = proxy.connect();
                RawImap third = proxy.connect()) {
            assertThat(a.greeting()).startsWith("* OK");
            assertThat(b.greeting()).startsWith("* OK");
            assertThat(third.greeting()).startsWith("* BYE");
        }
        assertThat(refusals("per_ip_limit")).isEqualTo(1);
    }

    /** Sockets that never log in have a pool of their own: they cannot take the places of logged-in sessions. */
    @Test
    void preLoginConnectionsCannotCrowdOutLoggedInSessions() {
        proxy = ProxyFixture.start(
                "127.0.0.1",
                backend.port(),
                "memory",
                c -> c.set("limits.maxSessions", "1").set("limits.maxPreLoginSessions", "2"));
        try (RawImap first = proxy.connect().login("alice", "pw")) {
            try (RawImap idle1 = proxy.connect();
                    RawImap idle2 = proxy.connect();
                    RawImap refused = proxy.connect()) {
                assertThat(idle1.greeting()).startsWith("* OK");
                assertThat(idle2.greeting()).startsWith("* OK");
                assertThat(refused.greeting()).as("pre-login pool full").startsWith("* BYE");
                // the logged-in session is unaffected by the idle sockets
                assertThat(first.ok("n", "NOOP")).startsWith("n OK");
                // and a second login finds the logged-in pool full: NO [LIMIT], then the connection closes
                assertThat(idle1.command("a", "LOGIN alice pw"))
                        .singleElement()
                        .satisfies(l -> assertThat(l).startsWith("a NO [LIMIT]"));
                assertThat(idle1.readLine()).isNull();
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> proxy.sessions() == 1);
            try (RawImap again = proxy.connect()) {
                assertThat(again.greeting())
                        .as("pre-login places are free again")
                        .startsWith("* OK");
            }
        }
    }
}

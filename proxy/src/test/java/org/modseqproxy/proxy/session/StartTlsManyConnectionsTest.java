package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.Loopback;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * STARTTLS must work whichever listener instance (event loop) accepts the connection: with two instances sharing the
 * port, Vert.x 5.0.7 hands about every second connection to the instance that did not bind it (see
 * StartTlsWorkaround). Fifty fresh connections cover both instances many times over.
 */
class StartTlsManyConnectionsTest {
    static GreenMailBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() {
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("tls", "pw", 1);
        // A fixed port, as in production: with port 0 every instance binds a port of its own and Vert.x shares nothing,
        // which is how the fixture's other tests never saw the defect.
        int port = Loopback.unusedPort();
        proxy = ProxyFixture.start(
                "127.0.0.1", backend.port(), "memory", c -> c.set("listen.plain", "127.0.0.1:" + port));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void fiftyFreshConnectionsAllUpgrade() {
        for (int i = 0; i < 50; i++) {
            try (RawImap c = proxy.connect()) {
                c.greeting();
                c.send("a STARTTLS\r\n");
                assertThat(c.readLine()).as("connection %d", i).startsWith("a OK");
                c.startTls();
                assertThat(c.ok("b", "LOGIN tls pw")).as("connection %d", i).startsWith("b OK");
                assertThat(c.ok("c", "NOOP")).startsWith("c OK");
            }
        }
    }
}

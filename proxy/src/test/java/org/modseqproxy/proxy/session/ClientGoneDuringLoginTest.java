package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.proxy.testing.TcpRelay;

/**
 * Issue 10, defect 4: a client that closes while its LOGIN is in flight must not leave a logged-in backend
 * connection behind. Each backend connection goes through a relay that sees whether the proxy ever closes it.
 */
class ClientGoneDuringLoginTest {
    GreenMailBackend backend;
    TcpRelay relay;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("alice", "pw", 1);
        relay = new TcpRelay("127.0.0.1", backend.port());
        proxy = ProxyFixture.start("127.0.0.1", relay.port());
    }

    @AfterEach
    void stop() {
        proxy.close();
        relay.close();
        backend.close();
    }

    @Test
    void everyBackendConnectionEndsWhenItsClientLeavesMidLogin() {
        for (int i = 0; i < 10; i++) {
            RawImap c = proxy.connect();
            c.greeting();
            c.send("a LOGIN alice pw\r\n");
            c.close(); // gone before the answer
        }
        // and one that waits for its answer, so the proxy surely got that far
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("n", "NOOP");
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(relay.links())
                    .isNotEmpty()
                    .allSatisfy(l -> assertThat(l.ended()).isTrue());
            assertThat(proxy.sessions()).isZero();
        });
    }
}

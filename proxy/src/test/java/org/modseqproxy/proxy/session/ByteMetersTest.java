package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;

/** Issue 10, defect 9: the backend directions of the byte meter counted nothing whatever the traffic. */
class ByteMetersTest {
    GreenMailBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("alice", "pw", 3);
        proxy = ProxyFixture.start("127.0.0.1", backend.port());
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    private double bytes(String direction) {
        Counter c = proxy.metrics()
                .registry()
                .find(MeterNames.BYTES)
                .tag("direction", direction)
                .counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void everyDirectionCounts() {
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("s", "SELECT INBOX");
            c.command("f", "FETCH 1:* (BODY.PEEK[])");
        }
        assertThat(bytes(MeterNames.DIRECTION_BACKEND_OUT)).isGreaterThan(20); // LOGIN, SELECT, FETCH at least
        assertThat(bytes(MeterNames.DIRECTION_BACKEND_IN)).isGreaterThan(bytes(MeterNames.DIRECTION_BACKEND_OUT));
        assertThat(bytes(MeterNames.DIRECTION_CLIENT_IN)).isPositive();
        assertThat(bytes(MeterNames.DIRECTION_CLIENT_OUT)).isPositive();
    }
}

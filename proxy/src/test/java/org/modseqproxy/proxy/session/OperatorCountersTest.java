package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;

/** Issue 13: the counters an operator reads to see who uses mod-sequences and why a client got NOMODSEQ. */
class OperatorCountersTest {
    GreenMailBackend backend;
    ProxyFixture proxy;

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    private double count(String name, String tag, String value) {
        Counter c = proxy.metrics().registry().find(name).tag(tag, value).counter();
        return c == null ? -1 : c.count();
    }

    @Test
    void stateOffIsCountedAsTheReasonForNoModSeqAndEnablingIsCountedPerExtension() {
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("alice", "pw", 3);
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), "off", c -> {});
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            assertThat(c.command("s", "SELECT INBOX")).anyMatch(l -> l.startsWith("* OK [NOMODSEQ]"));
        }
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("s", "SELECT INBOX");
            c.command("f", "FETCH 1 (MODSEQ)"); // a CONDSTORE enabling command (RFC 7162 3.1): BAD NOMODSEQ here
        }
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(count(
                                MeterNames.ENABLED_SESSIONS, MeterNames.TAG_EXTENSION, MeterNames.EXTENSION_CONDSTORE))
                        .isEqualTo(2));
        assertThat(count(MeterNames.ENABLED_SESSIONS, MeterNames.TAG_EXTENSION, MeterNames.EXTENSION_QRESYNC))
                .isEqualTo(1);
        assertThat(count(MeterNames.NOMODSEQ_ANSWERS, MeterNames.TAG_REASON, MeterNames.NOMODSEQ_STATE_OFF))
                .isEqualTo(1);
        assertThat(count(MeterNames.NOMODSEQ_ANSWERS, MeterNames.TAG_REASON, MeterNames.NOMODSEQ_STORE_DOWN))
                .isZero();
    }
}

package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
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

    private double tlsFailures(String listener, String reason) {
        Counter c = proxy.metrics()
                .registry()
                .find(MeterNames.TLS_HANDSHAKE_FAILURES)
                .tag(MeterNames.TAG_LISTENER, listener)
                .tag(MeterNames.TAG_REASON, reason)
                .counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void failedTlsHandshakesAreCountedByListenerAndReason() throws Exception {
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("alice", "pw", 1);
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), "memory", c -> {});
        // plaintext IMAP on the implicit-TLS port (RFC 8314): not a TLS record
        try (Socket s = new Socket("127.0.0.1", proxy.tlsPort())) {
            s.getOutputStream().write("a CAPABILITY\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            s.setSoTimeout(30_000);
            assertThat(s.getInputStream().read()).isEqualTo(-1); // closed without a greeting
        }
        // a client that trusts only the JVM's CAs refuses the proxy's self-signed certificate
        SSLSocketFactory strict = SSLContext.getDefault().getSocketFactory();
        try (SSLSocket s = (SSLSocket) strict.createSocket("127.0.0.1", proxy.tlsPort())) {
            s.setSoTimeout(30_000);
            assertThatThrownBy(s::startHandshake).isInstanceOf(SSLHandshakeException.class);
        }
        // after STARTTLS's OK the client goes on in plaintext
        try (RawImap c = proxy.connect()) {
            c.greeting();
            c.send("a STARTTLS\r\n");
            assertThat(c.readLine()).startsWith("a OK");
            c.send("b LOGIN alice pw\r\n");
            assertThat(c.closedByServer()).isTrue();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(tlsFailures(MeterNames.LISTENER_IMPLICIT, MeterNames.TLS_NOT_TLS))
                    .isEqualTo(1);
            assertThat(tlsFailures(MeterNames.LISTENER_IMPLICIT, MeterNames.TLS_CERTIFICATE))
                    .isEqualTo(1);
            assertThat(tlsFailures(MeterNames.LISTENER_STARTTLS, MeterNames.TLS_NOT_TLS))
                    .isEqualTo(1);
        });
        assertThat(proxy.metrics().scrape())
                .contains(
                        "modseq_tls_handshake_failures_total{instance_id=\"test\",listener=\"starttls\",reason=\"not_tls\"} 1.0");
    }
}

package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.proxy.config.ConfigLoader;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * Issue 12: the PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2) in front of both listeners,
 * written byte by byte as a balancer sends it. Every client here really connects from 127.0.0.1; what the proxy
 * believes is the declared source, and only from a trusted peer.
 */
class ProxyProtocolTest {
    GreenMailBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("alice", "alicepw", 1);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        backend.close();
    }

    private void startProxy(String trusted, Consumer<ConfigLoader> more) {
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), "memory", c -> {
            c.set("listen.proxyProtocol", "any").set("listen.proxyProtocolTrusted", trusted);
            more.accept(c);
        });
    }

    static String v1(String src, int srcPort) {
        String family = src.contains(":") ? "TCP6" : "TCP4";
        String dst = src.contains(":") ? "::1" : "127.0.0.1";
        return "PROXY " + family + " " + src + " " + dst + " " + srcPort + " 143\r\n";
    }

    /** Version 2, command PROXY (or LOCAL, as HAProxy's health checks send), TCP over IPv4 or IPv6 (section 2.2). */
    static byte[] v2(String src, int srcPort, boolean local) throws Exception {
        byte[] s = InetAddress.getByName(src).getAddress();
        byte[] d = InetAddress.getByName(s.length == 4 ? "127.0.0.1" : "::1").getAddress();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        out.write(local ? 0x20 : 0x21);
        if (local) {
            out.write(0x00);
            out.write(new byte[] {0, 0});
            return out.toByteArray();
        }
        out.write(s.length == 4 ? 0x11 : 0x21);
        ByteBuffer addr = ByteBuffer.allocate(2 * s.length + 4);
        addr.put(s).put(d).putShort((short) srcPort).putShort((short) 143);
        out.write(new byte[] {0, (byte) addr.capacity()});
        out.write(addr.array());
        return out.toByteArray();
    }

    private String clientOf(String user) {
        return Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(
                        () -> proxy.proxy().sessions().stream()
                                .filter(v -> user.equals(v.user()))
                                .map(SessionView::client)
                                .findFirst()
                                .orElse(null),
                        c -> c != null);
    }

    /** The connection ends without a single byte from the proxy (an unread request may make it a reset). */
    private static boolean notGreeted(RawImap c) {
        try {
            return c.readLine() == null;
        } catch (java.io.UncheckedIOException e) {
            return e.getCause() instanceof java.net.SocketException;
        }
    }

    private double refused(String reason) {
        Counter c = proxy.metrics()
                .registry()
                .find(MeterNames.PROXY_PROTOCOL_REFUSED)
                .tag(MeterNames.TAG_REASON, reason)
                .counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void theDeclaredSourceIsTheClientsAddressInVersionOneAndTwoAndBeforeTls() throws Exception {
        startProxy("127.0.0.0/8", c -> {});
        try (RawImap a = RawImap.connect("127.0.0.1", proxy.port())) {
            a.send(v1("203.0.113.7", 50007));
            assertThat(a.greeting()).startsWith("* OK");
            a.ok("l", "LOGIN alice alicepw");
            assertThat(clientOf("alice")).isEqualTo("203.0.113.7:50007");
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> proxy.sessions() == 0);
        try (RawImap a = RawImap.connect("127.0.0.1", proxy.port())) {
            a.send(v2("2001:db8::42", 50008, false));
            a.login("alice", "alicepw");
            assertThat(clientOf("alice")).contains("2001:db8").endsWith(":50008");
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> proxy.sessions() == 0);
        // implicit TLS (RFC 8314): the header comes first, in the clear, then the handshake
        try (RawImap a = RawImap.connect("127.0.0.1", proxy.tlsPort())) {
            a.send(v2("198.51.100.9", 50009, false));
            a.startTls();
            assertThat(a.greeting()).startsWith("* OK");
            a.ok("l", "LOGIN alice alicepw");
            assertThat(clientOf("alice")).isEqualTo("198.51.100.9:50009");
            assertThat(proxy.proxy().sessions())
                    .singleElement()
                    .satisfies(v -> assertThat(v.tls()).isTrue());
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> proxy.sessions() == 0);
        // a LOCAL header (the balancer's own health check) keeps the real peer
        try (RawImap a = RawImap.connect("127.0.0.1", proxy.port())) {
            a.send(v2("0.0.0.0", 0, true));
            a.login("alice", "alicepw");
            assertThat(clientOf("alice")).startsWith("127.0.0.1:");
        }
    }

    @Test
    void perAddressLimitsCountTheDeclaredAddress() throws Exception {
        startProxy("127.0.0.1", c -> c.set("limits.maxConnectionsPerIp", 1));
        try (RawImap first = RawImap.connect("127.0.0.1", proxy.port());
                RawImap sameAddress = RawImap.connect("127.0.0.1", proxy.port());
                RawImap other = RawImap.connect("127.0.0.1", proxy.port())) {
            first.send(v1("192.0.2.1", 40001));
            assertThat(first.greeting()).startsWith("* OK");
            sameAddress.send(v1("192.0.2.1", 40002));
            assertThat(sameAddress.readLine()).isEqualTo("* BYE Too many connections");
            other.send(v1("192.0.2.2", 40003));
            assertThat(other.greeting()).startsWith("* OK");
            assertThat(first.ok("n", "NOOP")).startsWith("n OK");
        }
    }

    @Test
    void withoutAValidHeaderTheConnectionClosesBeforeTheGreeting() throws Exception {
        startProxy("127.0.0.0/8", c -> c.set("listen.proxyProtocolTimeout", "500ms"));
        try (RawImap plainImap = RawImap.connect("127.0.0.1", proxy.port())) {
            plainImap.send("a1 CAPABILITY\r\n" + "x".repeat(300) + "\r\n");
            assertThat(notGreeted(plainImap)).isTrue();
        }
        try (RawImap garbage = RawImap.connect("127.0.0.1", proxy.port())) {
            garbage.send("PROXY TCP4 not-an-address 127.0.0.1 1 2\r\n");
            assertThat(notGreeted(garbage)).isTrue();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> refused(MeterNames.PROXY_INVALID) == 2);
        try (RawImap silent = RawImap.connect("127.0.0.1", proxy.port())) {
            assertThat(notGreeted(silent)).isTrue(); // closed after listen.proxyProtocolTimeout, never greeted
        }
        assertThat(proxy.sessions()).isZero();
    }

    @Test
    void aHeaderFromAnUntrustedPeerIsRefused() throws Exception {
        startProxy("10.0.0.0/8, 2001:db8::/32", c -> {});
        try (RawImap a = RawImap.connect("127.0.0.1", proxy.port())) {
            a.send(v1("203.0.113.7", 50007).getBytes(StandardCharsets.US_ASCII));
            assertThat(notGreeted(a)).isTrue();
        }
        try (RawImap a = RawImap.connect("127.0.0.1", proxy.tlsPort())) {
            a.send(v2("203.0.113.7", 50007, false));
            a.startTls(); // Vert.x completes the handshake before the peer can be checked; no greeting follows
            assertThat(notGreeted(a)).isTrue();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> refused(MeterNames.PROXY_UNTRUSTED) == 2);
        assertThat(proxy.sessions()).isZero();
    }
}

package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.HeapProbe;
import org.modseqproxy.proxy.testing.PatternMessage;
import org.modseqproxy.proxy.testing.ProxyProcess;

/**
 * Issue 2: "a 50 MB APPEND or FETCH BODY[] through the proxy must not raise heap use by more than a few hundred KB".
 *
 * <p>The proxy runs alone in a child JVM ({@link ProxyProcess}); GreenMail (which holds whole messages in memory) and
 * the client stay in this one, so the child's figures are the proxy's own. Each transfer is stopped half-way (the
 * client stops writing, or stops reading), given a moment to settle, and the child's live heap (after full GCs) and
 * off-heap buffers are compared with their values just before the transfer: whatever the proxy buffers shows up as
 * growth. The client streams from a generator and hashes what it reads back.
 */
class StreamingMemoryTest {
    private static final long SIZE = 50L * 1024 * 1024;
    /** Far below the 25 MB the proxy would hold at half-way if it buffered instead of streaming. */
    private static final long BOUND = 4L * 1024 * 1024;

    private static final int CHUNK = 64 * 1024;

    /** Growth of the proxy process at the half-way stop and after the transfer, relative to just before it. */
    record Figures(
            String what, long midHeap, long midDirect, long afterHeap, long afterDirect, String sha256, long millis) {
        @Override
        public String toString() {
            return String.format(
                    "%-12s heap %s / off-heap %s at half-way; heap %s / off-heap %s after; %d ms",
                    what,
                    HeapProbe.deltaMb(midHeap),
                    HeapProbe.deltaMb(midDirect),
                    HeapProbe.deltaMb(afterHeap),
                    HeapProbe.deltaMb(afterDirect),
                    millis);
        }
    }

    @Test
    void fiftyMegabyteAppendAndFetchAreStreamedNotBuffered() throws Exception {
        PatternMessage message = new PatternMessage(SIZE);
        String expectedSha = message.sha256();
        try (GreenMailBackend backend = new GreenMailBackend();
                ProxyProcess proxy = ProxyProcess.start(backend.port(), "-Xmx256m")) {
            backend.user("big", "pw");
            Figures append = append(proxy, message);
            Figures fetch = fetch(proxy, message.size());

            System.out.println("StreamingMemoryTest: " + message.size() + " octets through a proxy in its own JVM (pid "
                    + proxy.pid() + ")");
            System.out.println("  " + append);
            System.out.println("  " + fetch);

            assertThat(fetch.sha256())
                    .as("bytes appended through the proxy and fetched back through it")
                    .isEqualTo(expectedSha);
            assertThat(append.midHeap()).as("proxy heap growth mid-APPEND").isLessThan(BOUND);
            assertThat(append.midDirect())
                    .as("proxy off-heap growth mid-APPEND")
                    .isLessThan(BOUND);
            assertThat(fetch.midHeap()).as("proxy heap growth mid-FETCH").isLessThan(BOUND);
            assertThat(fetch.midDirect()).as("proxy off-heap growth mid-FETCH").isLessThan(BOUND);
            assertThat(append.afterHeap()).as("proxy heap kept after APPEND").isLessThan(BOUND);
            assertThat(fetch.afterHeap()).as("proxy heap kept after FETCH").isLessThan(BOUND);
        }
    }

    private static Figures append(ProxyProcess proxy, PatternMessage message) throws Exception {
        try (Conn c = new Conn(proxy.port())) {
            c.login();
            ProxyProcess.Memory m0 = proxy.memory();
            long t0 = System.nanoTime();
            c.send("a APPEND INBOX {" + message.size() + "}\r\n");
            assertThat(c.line()).startsWith("+");
            PatternMessage.Reader r = message.reader();
            byte[] buf = new byte[CHUNK];
            long half = message.size() / 2;
            while (r.position() < half) {
                int n = r.fill(buf, (int) Math.min(CHUNK, half - r.position()));
                c.out.write(buf, 0, n);
            }
            c.out.flush();
            Thread.sleep(500); // let everything in flight settle where it will wait
            ProxyProcess.Memory mid = proxy.memory();
            int n;
            while ((n = r.fill(buf, CHUNK)) > 0) {
                c.out.write(buf, 0, n);
            }
            c.send("\r\n");
            assertThat(c.untilTagged("a")).startsWith("a OK");
            long millis = (System.nanoTime() - t0) / 1_000_000;
            ProxyProcess.Memory after = proxy.memory();
            return new Figures(
                    "APPEND",
                    mid.heap() - m0.heap(),
                    mid.direct() - m0.direct(),
                    after.heap() - m0.heap(),
                    after.direct() - m0.direct(),
                    null,
                    millis);
        }
    }

    private static Figures fetch(ProxyProcess proxy, long size) throws Exception {
        try (Conn c = new Conn(proxy.port())) {
            c.login();
            c.send("s SELECT INBOX\r\n");
            c.untilTagged("s");
            ProxyProcess.Memory m0 = proxy.memory();
            long t0 = System.nanoTime();
            c.send("f FETCH 1 BODY.PEEK[]\r\n");
            String head = c.line();
            assertThat(head).startsWith("* 1 FETCH (").endsWith("BODY[] {" + size + "}");
            MessageDigest md = PatternMessage.newDigest();
            byte[] buf = new byte[CHUNK];
            long left = size;
            long half = size / 2;
            while (left > half) {
                int n = c.in.read(buf, 0, (int) Math.min(CHUNK, left - half));
                md.update(buf, 0, n);
                left -= n;
            }
            Thread.sleep(500); // the client stops reading: backpressure must stop the proxy reading the backend too
            ProxyProcess.Memory mid = proxy.memory();
            while (left > 0) {
                int n = c.in.read(buf, 0, (int) Math.min(CHUNK, left));
                md.update(buf, 0, n);
                left -= n;
            }
            assertThat(c.line()).isEqualTo(")");
            assertThat(c.untilTagged("f")).startsWith("f OK");
            long millis = (System.nanoTime() - t0) / 1_000_000;
            ProxyProcess.Memory after = proxy.memory();
            return new Figures(
                    "FETCH BODY[]",
                    mid.heap() - m0.heap(),
                    mid.direct() - m0.direct(),
                    after.heap() - m0.heap(),
                    after.direct() - m0.direct(),
                    HexFormat.of().formatHex(md.digest()),
                    millis);
        }
    }

    /** A bare blocking IMAP connection that can stream literals both ways. */
    private static final class Conn implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Conn(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(60_000);
            in = new BufferedInputStream(socket.getInputStream(), CHUNK);
            out = socket.getOutputStream();
        }

        void login() throws IOException {
            assertThat(line()).startsWith("* OK");
            send("l LOGIN big pw\r\n");
            assertThat(untilTagged("l")).startsWith("l OK");
        }

        void send(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** One line without CRLF (these lines are short: the literal is read separately). */
        String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int prev = -1;
            int c;
            while ((c = in.read()) >= 0) {
                if (prev == '\r' && c == '\n') {
                    byte[] bytes = b.toByteArray();
                    return new String(bytes, 0, bytes.length - 1, StandardCharsets.US_ASCII);
                }
                b.write(c);
                prev = c;
            }
            throw new IOException("EOF after " + b);
        }

        String untilTagged(String tag) throws IOException {
            while (true) {
                String l = line();
                if (l.startsWith(tag + " ")) {
                    return l;
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}

package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * Issue 12: COMPRESS=DEFLATE toward the client (RFC 4978), through a real socket to the proxy in front of GreenMail
 * (which has no COMPRESS). The client below is its own DEFLATE implementation over the JDK's streams, as an IMAP
 * client library would wrap its socket: raw DEFLATE, a sync flush after each command.
 */
class CompressDeflateTest {
    GreenMailBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("alice", "alicepw", 200);
        proxy = ProxyFixture.start("127.0.0.1", backend.port());
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    /** An IMAP client that can turn on COMPRESS=DEFLATE on its socket after the OK. */
    static final class Client implements AutoCloseable {
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private long wireIn;
        private long plainIn;

        Client(Socket socket) throws IOException {
            use(socket);
            socket.setSoTimeout(30_000);
        }

        private void use(Socket s) throws IOException {
            socket = s;
            in = new BufferedInputStream(counting(s.getInputStream()));
            out = s.getOutputStream();
        }

        private InputStream counting(InputStream raw) {
            return new FilterInputStream(raw) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    wireIn += b >= 0 ? 1 : 0;
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    wireIn += Math.max(0, n);
                    return n;
                }
            };
        }

        void startTls() throws Exception {
            SSLSocket s = (SSLSocket)
                    RawImap.trustAll().getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
            s.startHandshake();
            use(s);
        }

        void compress() {
            in = new BufferedInputStream(new InflaterInputStream(in, new Inflater(true), 4096));
            out = new DeflaterOutputStream(out, new Deflater(6, true), 4096, true);
        }

        void send(byte[] b) throws IOException {
            out.write(b);
            out.flush(); // with syncFlush: every command leaves whole
        }

        void send(String s) throws IOException {
            send(s.getBytes(StandardCharsets.UTF_8));
        }

        /** One line without CRLF; a literal at its end is appended as ISO-8859-1 text. */
        String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                plainIn++;
                if (c == '\n') {
                    break;
                }
                b.write(c);
            }
            if (c < 0 && b.size() == 0) {
                return null;
            }
            String l = b.toString(StandardCharsets.ISO_8859_1).replaceAll("\r$", "");
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("\\{(\\d+)\\}$").matcher(l);
            if (m.find()) {
                byte[] lit = in.readNBytes(Integer.parseInt(m.group(1)));
                plainIn += lit.length;
                return l + new String(lit, StandardCharsets.ISO_8859_1) + line();
            }
            return l;
        }

        List<String> command(String tag, String command) throws IOException {
            send(tag + " " + command + "\r\n");
            return until(tag);
        }

        List<String> until(String tag) throws IOException {
            List<String> lines = new ArrayList<>();
            while (true) {
                String l = line();
                if (l == null) {
                    throw new IOException("closed after " + lines);
                }
                lines.add(l);
                if (l.startsWith(tag + " ")) {
                    return lines;
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private Client loggedIn() throws IOException {
        Client c = new Client(new Socket("127.0.0.1", proxy.port()));
        assertThat(c.line()).startsWith("* OK").doesNotContain("COMPRESS");
        assertThat(c.command("l", "LOGIN alice alicepw")).last().asString().startsWith("l OK");
        return c;
    }

    private static String code(List<String> lines, String name) {
        return lines.stream()
                .filter(l -> l.contains("[" + name + " "))
                .map(l -> l.replaceAll(".*\\[" + name + " (\\d+)\\].*", "$1"))
                .findFirst()
                .orElseThrow();
    }

    private static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    @Test
    void aFullFlagListingCostsAFractionCompressedAndBigMessagesGoBothWays() throws Exception {
        long plainListing;
        String qresyncFrom;
        try (Client plain = loggedIn()) {
            assertThat(plain.command("c", "CAPABILITY").get(0)).contains(" COMPRESS=DEFLATE");
            plain.command("e", "ENABLE QRESYNC");
            List<String> select = plain.command("s", "SELECT INBOX");
            qresyncFrom = code(select, "UIDVALIDITY") + " " + code(select, "HIGHESTMODSEQ");
            for (int uid = 10; uid <= 200; uid += 10) {
                plain.command("st", "UID STORE " + uid + " +FLAGS (\\Seen)");
            }
            long before = plain.wireIn;
            assertThat(plain.command("f", "UID FETCH 1:* (FLAGS)")).hasSize(201);
            plainListing = plain.wireIn - before;
        }
        try (Client c = loggedIn()) {
            assertThat(c.command("z", "COMPRESS DEFLATE")).containsExactly("z OK DEFLATE active");
            c.compress();
            c.command("e", "ENABLE QRESYNC"); // as in the plain session: FETCH answers carry MODSEQ
            assertThat(last(c.command("s", "SELECT INBOX"))).startsWith("s OK");
            long wireBefore = c.wireIn;
            long plainBefore = c.plainIn;
            List<String> listing = c.command("f", "UID FETCH 1:* (FLAGS)");
            assertThat(listing).hasSize(201);
            long wire = c.wireIn - wireBefore;
            assertThat(c.plainIn - plainBefore).isEqualTo(plainListing); // the same answer, byte for byte
            System.out.printf(
                    "COMPRESS=DEFLATE full flag listing of 200 messages: %d bytes plain, %d on the wire (%.1f%%)%n",
                    plainListing, wire, 100.0 * wire / plainListing);
            assertThat(wire).isLessThan(plainListing / 3);
            wireBefore = c.wireIn;
            plainBefore = c.plainIn;
            List<String> resync = c.command("q", "SELECT INBOX (QRESYNC (" + qresyncFrom + "))");
            assertThat(resync).filteredOn(l -> l.contains(" FETCH ")).hasSize(20);
            System.out.printf(
                    "COMPRESS=DEFLATE QRESYNC SELECT, 20 of 200 changed: %d bytes plain, %d on the wire (%.1f%%)%n",
                    c.plainIn - plainBefore,
                    c.wireIn - wireBefore,
                    100.0 * (c.wireIn - wireBefore) / (c.plainIn - plainBefore));
            // a 3 MB message up, compressed, and back, byte for byte; streamed through both layers
            StringBuilder body = new StringBuilder();
            for (int i = 0; body.length() < 3_000_000; i++) {
                body.append("line ").append(i).append(" of a long compressible message\r\n");
            }
            byte[] msg = ("Subject: big\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
            c.send("a APPEND INBOX {" + msg.length + "}\r\n");
            assertThat(c.line()).startsWith("+");
            c.send(msg);
            c.send("\r\n");
            assertThat(last(c.until("a"))).startsWith("a OK");
            c.command("n", "NOOP");
            List<String> fetched = c.command("b", "FETCH 201 (BODY.PEEK[])");
            assertThat(fetched.get(0)).endsWith(new String(msg, StandardCharsets.ISO_8859_1) + ")");
            // RFC 4978 3: COMPRESS again is BAD, and the session goes on compressed
            assertThat(c.command("y", "COMPRESS DEFLATE"))
                    .singleElement()
                    .asString()
                    .startsWith("y BAD");
            assertThat(c.command("n2", "NOOP")).last().asString().startsWith("n2 OK");
        }
        assertThat(proxy.metrics()
                        .registry()
                        .find(MeterNames.COMPRESS_SESSIONS)
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void anIdlePushArrivesAtOnceAndTlsCarriesTheCompressedStream() throws Exception {
        try (Client c = new Client(new Socket("127.0.0.1", proxy.port()))) {
            c.line();
            assertThat(c.command("t", "STARTTLS")).last().asString().startsWith("t OK");
            c.startTls();
            assertThat(last(c.command("l", "LOGIN alice alicepw"))).startsWith("l OK");
            assertThat(c.command("z", "compress deflate")).containsExactly("z OK DEFLATE active");
            c.compress();
            assertThat(last(c.command("s", "SELECT INBOX"))).startsWith("s OK");
            c.send("i IDLE\r\n");
            assertThat(c.line()).startsWith("+");
            try (RawImap other = proxy.connect().login("alice", "alicepw")) {
                other.append("a", "INBOX", null, "Subject: pushed\r\n\r\nhello\r\n");
            }
            // flushed at once: the client's read would time out (30 s) if the push sat in the compressor
            String push;
            do {
                push = c.line();
            } while (push != null && !push.endsWith("EXISTS"));
            assertThat(push).isEqualTo("* 201 EXISTS");
            c.send("DONE\r\n");
            assertThat(last(c.until("i"))).startsWith("i OK");
            assertThat(last(c.command("o", "LOGOUT"))).startsWith("o OK");
        }
    }

    @Test
    void invalidCompressedInputEndsTheSessionAndNothingPassesToTheBackend() throws Exception {
        try (Client c = loggedIn()) {
            assertThat(c.command("z", "COMPRESS LZW"))
                    .singleElement()
                    .asString()
                    .startsWith("z BAD");
            assertThat(c.command("z2", "COMPRESS DEFLATE")).containsExactly("z2 OK DEFLATE active");
            c.send(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x00, 0x13, 0x37});
            c.compress(); // to read the BYE, which comes compressed
            String l = c.line();
            assertThat(l).isEqualTo("* BYE Invalid compressed data");
            String after;
            try {
                after = c.line();
            } catch (java.io.EOFException closedWithoutFinalBlock) {
                after = null; // RFC 4978 streams never end: the socket closing is the end
            }
            assertThat(after).isNull();
        }
    }

    @Test
    void whenNotOfferedCompressIsRefusedNotPassedOn() throws Exception {
        proxy.close();
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), "memory", c -> c.set("compress.deflate", "false"));
        try (Client c = loggedIn()) {
            assertThat(c.command("c", "CAPABILITY").get(0)).doesNotContain("COMPRESS");
            assertThat(c.command("z", "COMPRESS DEFLATE"))
                    .singleElement()
                    .asString()
                    .startsWith("z BAD");
            assertThat(c.command("n", "NOOP")).last().asString().startsWith("n OK");
        }
    }
}

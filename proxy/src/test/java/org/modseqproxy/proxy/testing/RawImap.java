package org.modseqproxy.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A scripted IMAP client over a plain blocking socket, for tests that must control every byte (pipelining, split
 * literals, bad input). Lines are returned without CRLF; a literal's bytes are appended to its line as text.
 */
public final class RawImap implements AutoCloseable {
    private static final Pattern LITERAL_END = Pattern.compile("\\{(\\d+)\\}$");
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    /** Bytes received from the server so far (what a client pays for on the wire, before any decompression). */
    private long bytesRead;

    private RawImap(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(20_000);
        this.in = new java.io.BufferedInputStream(counting(socket.getInputStream()));
        this.out = socket.getOutputStream();
    }

    private InputStream counting(InputStream raw) {
        return new java.io.FilterInputStream(raw) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytesRead++;
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) {
                    bytesRead += n;
                }
                return n;
            }
        };
    }

    /** Bytes read from the socket since the connection opened (or the last {@link #resetBytesRead}). */
    public long bytesRead() {
        return bytesRead;
    }

    public void resetBytesRead() {
        bytesRead = 0;
    }

    public static RawImap connect(String host, int port) {
        try {
            return new RawImap(new Socket(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RawImap connectTls(String host, int port) {
        try {
            SSLSocket s = (SSLSocket) trustAll().getSocketFactory().createSocket(host, port);
            s.startHandshake();
            return new RawImap(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Upgrades this connection after a STARTTLS OK. */
    public void startTls() {
        try {
            SSLSocket s = (SSLSocket) trustAll()
                    .getSocketFactory()
                    .createSocket(socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
            s.startHandshake();
            socket = s;
            in = new java.io.BufferedInputStream(counting(s.getInputStream()));
            out = s.getOutputStream();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS context that trusts any server certificate (tests talk to proxies with self-signed ones). */
    public static SSLContext trustAll() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(
                null,
                new TrustManager[] {
                    new X509TrustManager() {
                        @Override
                        public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

                        @Override
                        public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

                        @Override
                        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                            return new java.security.cert.X509Certificate[0];
                        }
                    }
                },
                null);
        return ctx;
    }

    /** This client's own port: what a PROXY protocol header from a balancer in between must declare. */
    public int localPort() {
        return socket.getLocalPort();
    }

    /**
     * Waits at most {@code wait} for a response line (an IDLE push, say); empty if none began. A timeout before the
     * first byte leaves the stream intact, so reading can go on; the timeout in force before is restored. EOF
     * fails.
     */
    public Optional<String> poll(Duration wait) {
        try {
            int before = socket.getSoTimeout();
            socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
            try {
                in.mark(1);
                if (in.read() < 0) {
                    throw new java.io.EOFException("server closed the connection");
                }
                in.reset();
            } catch (SocketTimeoutException nothingYet) {
                return Optional.empty();
            } finally {
                socket.setSoTimeout(before);
            }
            return Optional.of(readLine());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void setTimeout(int millis) {
        try {
            socket.setSoTimeout(millis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the text as is (add CRLF yourself). */
    public RawImap send(String text) {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    public RawImap send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one response line; literals announced at its end are read and appended (as ISO-8859-1 text). Null at EOF. */
    public String readLine() {
        try {
            StringBuilder sb = new StringBuilder();
            while (true) {
                String part = rawLine();
                if (part == null) {
                    return sb.length() == 0 ? null : sb.toString();
                }
                sb.append(part);
                Matcher m = LITERAL_END.matcher(part);
                if (!m.find()) {
                    return sb.toString();
                }
                int n = Integer.parseInt(m.group(1));
                byte[] data = in.readNBytes(n);
                sb.append("\r\n").append(new String(data, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String rawLine() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
            }
            if (prev == '\r' && b == '\n') {
                byte[] bytes = buf.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            buf.write(b);
            prev = b;
        }
    }

    /** Reads lines up to and including the tagged response for {@code tag}. */
    public List<String> readUntilTagged(String tag) {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) {
                throw new IllegalStateException("connection closed before " + tag + " completed; got " + lines);
            }
            lines.add(line);
            if (line.startsWith(tag + " ")) {
                return lines;
            }
        }
    }

    /** Sends "tag command CRLF" and returns every line up to the tagged answer. */
    public List<String> command(String tag, String command) {
        send(tag + " " + command + "\r\n");
        return readUntilTagged(tag);
    }

    /** Last line of {@link #command}: the tagged answer. */
    public String ok(String tag, String command) {
        List<String> lines = command(tag, command);
        String last = lines.get(lines.size() - 1);
        if (!last.startsWith(tag + " OK")) {
            throw new AssertionError("expected OK for " + command + " but got " + lines);
        }
        return last;
    }

    /**
     * APPEND with a synchronizing literal, as RFC 9051 7.5 wants it: waits for the "+" before sending the message.
     * Returns every line up to the tagged answer.
     */
    public List<String> append(String tag, String mailbox, String flags, String message) {
        return append(tag, mailbox, flags, message.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #append(String, String, String, String)} with the message's own bytes. */
    public List<String> append(String tag, String mailbox, String flags, byte[] body) {
        send(tag + " APPEND " + mailbox + (flags == null ? "" : " (" + flags + ")") + " {" + body.length + "}\r\n");
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) {
                throw new IllegalStateException("connection closed during APPEND; got " + lines);
            }
            if (line.startsWith("+")) {
                break;
            }
            lines.add(line);
            if (line.startsWith(tag + " ")) {
                return lines; // refused before the literal
            }
        }
        send(body);
        send("\r\n");
        lines.addAll(readUntilTagged(tag));
        return lines;
    }

    public String greeting() {
        return readLine();
    }

    public RawImap login(String user, String password) {
        greeting();
        ok("l1", "LOGIN " + user + " " + password);
        return this;
    }

    /** True when the server closed the connection (EOF) within the socket timeout. */
    public boolean closedByServer() {
        try {
            while (true) {
                String l = readLine();
                if (l == null) {
                    return true;
                }
            }
        } catch (UncheckedIOException e) {
            return e.getCause() instanceof java.net.SocketException;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // ignore
        }
    }
}

package org.modseqproxy.interop;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deliberately dumb IMAP client for scripted tests: it writes exactly what the test says and
 * returns what came back, so quirks stay visible. Tags are a1, a2, ... Reading is literal aware
 * (a line ending in {n} continues after n bytes), writing handles APPEND's literal both ways.
 * Blocking with a 10 s read timeout, so a silent server fails the test instead of hanging it.
 */
public final class RawImapClient implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 10_000;
    private static final Pattern LITERAL_AT_END = Pattern.compile("\\{(\\d+)\\}$");

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String greeting;
    private int tags;

    private RawImapClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.greeting = readLine();
    }

    public static RawImapClient connect(String host, int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            return new RawImapClient(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** This client's own port: what a PROXY protocol header from a balancer in between must declare. */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** The server's first line, e.g. "* OK [CAPABILITY ...] Dovecot (Debian) ready." */
    public String greeting() {
        return greeting;
    }

    /** The tag the next command will get. */
    public String nextTag() {
        return "a" + (tags + 1);
    }

    /** Sends "tag command" and reads up to the tagged completion. */
    public ImapReply command(String command) throws IOException {
        String tag = takeTag();
        write(tag + " " + command + "\r\n");
        return readReply(tag);
    }

    /**
     * APPEND with a synchronizing literal ({n}): waits for the server's "+" before sending the message.
     * A server that refuses up front (tagged NO/BAD instead of "+") gets no message bytes.
     */
    public ImapReply append(String mailbox, String flags, byte[] message) throws IOException {
        String tag = takeTag();
        write(tag + " APPEND " + mailbox + " (" + flags + ") {" + message.length + "}\r\n");
        String line = readLine();
        if (!line.startsWith("+")) {
            List<String> before = new ArrayList<>();
            while (!line.startsWith(tag + " ")) {
                before.add(line);
                line = readLine();
            }
            return new ImapReply(tag, before, line);
        }
        out.write(message);
        write("\r\n");
        return readReply(tag);
    }

    /**
     * APPEND with a non-synchronizing literal ({n+}, RFC 7888): command line and message in one go.
     * Only meaningful against servers that advertise LITERAL+ (see the Courier quirk test).
     */
    public ImapReply appendNonSynchronizing(String mailbox, String flags, byte[] message) throws IOException {
        String tag = takeTag();
        write(tag + " APPEND " + mailbox + " (" + flags + ") {" + message.length + "+}\r\n");
        out.write(message);
        write("\r\n");
        return readReply(tag);
    }

    /** Writes raw text (the caller supplies CRLFs). */
    public void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads responses until the tagged line for {@code tag}. */
    public ImapReply readReply(String tag) throws IOException {
        List<String> untagged = new ArrayList<>();
        String line = readLine();
        while (!line.startsWith(tag + " ")) {
            untagged.add(line);
            line = readLine();
        }
        return new ImapReply(tag, untagged, line);
    }

    /** Reads one response line without its CRLF; literals are inlined as {n}CRLF followed by the bytes. */
    public String readLine() throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        while (true) {
            byte[] line = readRawLine();
            response.write(line, 0, line.length);
            Matcher literal = LITERAL_AT_END.matcher(new String(line, StandardCharsets.ISO_8859_1));
            if (!literal.find()) {
                return response.toString(StandardCharsets.UTF_8);
            }
            response.write('\r');
            response.write('\n');
            byte[] bytes = in.readNBytes(Integer.parseInt(literal.group(1)));
            response.write(bytes, 0, bytes.length);
        }
    }

    /**
     * Waits at most {@code wait} for a response line (e.g. an IDLE push); empty if none came.
     * A timeout before the first byte leaves the stream intact, so reading can go on.
     */
    public Optional<String> pollLine(Duration wait) throws IOException {
        socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
        try {
            in.mark(1);
            if (in.read() < 0) {
                throw new EOFException("server closed the connection");
            }
            in.reset();
        } catch (SocketTimeoutException nothingYet) {
            return Optional.empty();
        } finally {
            socket.setSoTimeout(TIMEOUT_MILLIS);
        }
        return Optional.of(readLine());
    }

    /** True once the server closed the connection (reads EOF). */
    public boolean isClosedByServer() throws IOException {
        return in.read() < 0;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private String takeTag() {
        tags++;
        return "a" + tags;
    }

    /** Bytes up to LF, without CR LF. */
    private byte[] readRawLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("server closed the connection after: " + line.toString(StandardCharsets.UTF_8));
            }
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return Arrays.copyOf(bytes, length);
    }
}

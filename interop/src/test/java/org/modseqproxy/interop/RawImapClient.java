package org.modseqproxy.interop;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * A deliberately dumb IMAP client for scripted tests: it writes exactly what the test says and returns what came back,
 * so quirks stay visible. Tags are a1, a2, ...; answers come as {@link ImapReply}. The wire (literal-aware reading,
 * APPEND's literal, polling) is the proxy suite's {@link RawImap}, so both suites read servers the same way. A 10 s
 * read timeout makes a silent server fail the test instead of hanging it; a closed connection is an EOFException.
 */
public final class RawImapClient implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 10_000;

    private final RawImap wire;
    private final String greeting;
    private int tags;

    private RawImapClient(RawImap wire) throws IOException {
        this.wire = wire;
        wire.setTimeout(TIMEOUT_MILLIS);
        this.greeting = readLine();
    }

    public static RawImapClient connect(String host, int port) throws IOException {
        try {
            return new RawImapClient(RawImap.connect(host, port));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** This client's own port: what a PROXY protocol header from a balancer in between must declare. */
    public int localPort() {
        return wire.localPort();
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
     * APPEND with a synchronizing literal ({n}): waits for the server's "+" before sending the message. A server that
     * refuses up front (tagged NO/BAD instead of "+") gets no message bytes.
     */
    public ImapReply append(String mailbox, String flags, byte[] message) throws IOException {
        String tag = takeTag();
        List<String> lines = io(() -> wire.append(tag, mailbox, flags, message));
        return new ImapReply(tag, lines.subList(0, lines.size() - 1), lines.get(lines.size() - 1));
    }

    /**
     * APPEND with a non-synchronizing literal ({n+}, RFC 7888): command line and message in one go. Only meaningful
     * against servers that advertise LITERAL+ (see the Courier quirk test).
     */
    public ImapReply appendNonSynchronizing(String mailbox, String flags, byte[] message) throws IOException {
        String tag = takeTag();
        write(tag + " APPEND " + mailbox + " (" + flags + ") {" + message.length + "+}\r\n");
        io(() -> wire.send(message));
        write("\r\n");
        return readReply(tag);
    }

    /** Writes raw text (the caller supplies CRLFs). */
    public void write(String text) throws IOException {
        io(() -> wire.send(text));
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
        String line = io(wire::readLine);
        if (line == null) {
            throw new EOFException("server closed the connection");
        }
        return line;
    }

    /** Waits at most {@code wait} for a response line (e.g. an IDLE push); empty if none came. */
    public Optional<String> pollLine(Duration wait) throws IOException {
        return io(() -> wire.poll(wait));
    }

    @Override
    public void close() {
        wire.close();
    }

    private String takeTag() {
        tags++;
        return "a" + tags;
    }

    private interface Io<T> {
        T get();
    }

    /** The wire's unchecked I/O failures as the checked ones this client's callers expect. */
    private static <T> T io(Io<T> call) throws IOException {
        try {
            return call.get();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}

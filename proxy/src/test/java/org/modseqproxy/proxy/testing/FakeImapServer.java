package org.modseqproxy.proxy.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny misbehaving IMAP server on a free loopback port, for backend failure cases a real server will not produce on
 * demand: close at once, never greet, or answer LOGIN and then go silent. Each accepted connection runs
 * {@link Behaviour} on its own thread; the server remembers the command lines it received.
 */
public final class FakeImapServer implements AutoCloseable {
    /** What the server does with each connection. */
    public enum Behaviour {
        /** Accepts the TCP connection and closes it at once, without a greeting. */
        CLOSE_AT_ONCE,
        /** Accepts and says nothing, ever. */
        NEVER_GREET,
        /** Greets, answers CAPABILITY and LOGIN, then reads commands and never answers them. */
        STALL_AFTER_LOGIN,
        /** Greets without a CAPABILITY code, then closes as soon as the first command arrives. */
        CLOSE_AFTER_GREETING
    }

    private final ServerSocket server;
    private final Behaviour behaviour;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public FakeImapServer(Behaviour behaviour) {
        this.behaviour = behaviour;
        server = Loopback.listen();
        Loopback.daemon("fake-imap-" + port(), this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Command lines received on every connection, in order. */
    public List<String> received() {
        return List.copyOf(received);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Loopback.daemon("fake-imap-conn", () -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            switch (behaviour) {
                case CLOSE_AT_ONCE -> {
                    // try-with-resources closes it
                }
                case NEVER_GREET -> drain(reader(s));
                case STALL_AFTER_LOGIN -> stallAfterLogin(s);
                case CLOSE_AFTER_GREETING -> {
                    BufferedReader in = reader(s);
                    send(s.getOutputStream(), "* OK fake server ready");
                    String first = in.readLine();
                    if (first != null) {
                        received.add(first);
                    }
                }
            }
        } catch (IOException e) {
            // the proxy went away
        }
    }

    /** Reads and records lines until the peer closes, answering nothing. */
    private void drain(BufferedReader in) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            received.add(line);
        }
    }

    private static BufferedReader reader(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
    }

    private void stallAfterLogin(Socket s) throws IOException {
        BufferedReader in = reader(s);
        OutputStream out = s.getOutputStream();
        send(out, "* OK [CAPABILITY IMAP4rev1 IDLE] fake server ready");
        String line;
        while ((line = in.readLine()) != null) {
            received.add(line);
            String[] parts = line.split(" ", 3);
            String tag = parts[0];
            String cmd = parts.length > 1 ? parts[1].toUpperCase(java.util.Locale.ROOT) : "";
            if (cmd.equals("CAPABILITY")) {
                send(out, "* CAPABILITY IMAP4rev1 IDLE");
                send(out, tag + " OK CAPABILITY completed");
            } else if (cmd.equals("LOGIN")) {
                send(out, tag + " OK [CAPABILITY IMAP4rev1 IDLE] LOGIN completed");
            } else {
                drain(in); // from here on: silence
                return;
            }
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        Loopback.closeQuietly(server);
        Loopback.closeQuietly(sockets);
    }
}

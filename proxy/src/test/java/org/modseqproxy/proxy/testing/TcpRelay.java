package org.modseqproxy.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A byte relay on a free loopback port in front of a real server (GreenMail), so a test can make "the backend" stall
 * ({@link #freeze()}) or die ({@link #cut()}) with real sockets, and can see what the proxy sent upstream and whether
 * it closed its side. One {@link Link} per accepted connection.
 */
public final class TcpRelay implements AutoCloseable {
    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile boolean frozen;
    private volatile boolean closed;

    public TcpRelay(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        server = Loopback.listen();
        Loopback.daemon("relay-accept-" + port(), this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far, oldest first. */
    public List<Link> links() {
        return List.copyOf(links);
    }

    public Link lastLink() {
        if (links.isEmpty()) {
            throw new IllegalStateException("no connection through the relay yet");
        }
        return links.get(links.size() - 1);
    }

    /**
     * The newest connection on which the proxy sent {@code text}: the session's own, not a health probe's (a probe's
     * connection can open at any moment, so "the last one" may be it).
     */
    public Link linkThatSent(String text) {
        for (int i = links.size() - 1; i >= 0; i--) {
            if (links.get(i).sentByProxy().contains(text)) {
                return links.get(i);
            }
        }
        throw new IllegalStateException("no connection through the relay sent " + text);
    }

    /** Stops moving bytes in both directions (both ends stay open): a stalled backend. */
    public void freeze() {
        frozen = true;
    }

    public void thaw() {
        frozen = false;
    }

    /** Closes every connection abruptly on both sides: a backend that died. */
    public void cut() {
        for (Link l : links) {
            l.cut();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket down = server.accept();
                Socket up = new Socket(targetHost, targetPort);
                Link link = new Link(down, up);
                links.add(link);
                link.start();
            } catch (IOException e) {
                if (!closed) {
                    // a failed upstream connect only loses that one connection
                    continue;
                }
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Loopback.closeQuietly(server);
        cut();
    }

    /** One relayed connection: "down" is the proxy's backend socket, "up" is the real server. */
    public final class Link {
        private final Socket down;
        private final Socket up;
        private final ByteArrayOutputStream fromProxy = new ByteArrayOutputStream();
        private volatile boolean proxyClosed;
        private volatile boolean ended;

        Link(Socket down, Socket up) {
            this.down = down;
            this.up = up;
        }

        void start() {
            pump(down, up, true);
            pump(up, down, false);
        }

        private void pump(Socket from, Socket to, boolean recordProxyBytes) {
            Loopback.daemon("relay-pump", () -> {
                byte[] buf = new byte[16 * 1024];
                try {
                    InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream();
                    while (true) {
                        int n = in.read(buf);
                        if (n < 0) {
                            break;
                        }
                        while (frozen && !from.isClosed()) {
                            Thread.sleep(10);
                        }
                        if (recordProxyBytes) {
                            synchronized (fromProxy) {
                                fromProxy.write(buf, 0, n);
                            }
                        }
                        out.write(buf, 0, n);
                        out.flush();
                    }
                    if (recordProxyBytes) {
                        proxyClosed = true; // EOF from the proxy: it closed its backend connection
                    }
                } catch (IOException | InterruptedException e) {
                    // the other pump or cut() closed the sockets
                } finally {
                    cut();
                }
            });
        }

        /** Everything the proxy sent to the backend on this connection, as text. */
        public String sentByProxy() {
            synchronized (fromProxy) {
                return fromProxy.toString(StandardCharsets.ISO_8859_1);
            }
        }

        /** True once the proxy closed (EOF) its side of this backend connection. */
        public boolean closedByProxy() {
            return proxyClosed;
        }

        /** True once this connection is over, whoever ended it. */
        public boolean ended() {
            return ended;
        }

        void cut() {
            ended = true;
            Loopback.closeQuietly(down, up);
        }
    }
}

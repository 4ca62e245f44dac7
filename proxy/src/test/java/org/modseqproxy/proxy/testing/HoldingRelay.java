package org.modseqproxy.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP relay on a free loopback port in front of a backend, for making races deterministic: once armed with
 * {@link #holdAfter(String)}, the first connection whose client side sends a chunk containing the marker gets its
 * backend-to-client bytes held back (the backend has answered; the proxy just does not see it yet) until
 * {@link #release()}. Everything else is relayed as is.
 */
public final class HoldingRelay implements AutoCloseable {
    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile String marker;
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final CountDownLatch held = new CountDownLatch(1);

    public HoldingRelay(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        server = Loopback.listen();
        Loopback.daemon("relay-accept", this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Arms the relay: the next connection that sends {@code text} has its responses held from then on. */
    public void holdAfter(String text) {
        gate = new CountDownLatch(1);
        marker = text;
    }

    /** Waits until a connection has sent the marker (its responses are now held). */
    public boolean awaitHeld(long millis) throws InterruptedException {
        return held.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Lets the held responses through. */
    public void release() {
        gate.countDown();
        OutputStream out = heldTo;
        if (out != null) {
            flushHeld(out);
        }
    }

    /**
     * Waits until the held backend bytes contain a tagged completion: the backend has then finished answering the held
     * command, whatever happens to the mailbox afterwards.
     */
    public boolean awaitHeldCompletion(long millis) throws InterruptedException {
        java.util.regex.Pattern tagged = java.util.regex.Pattern.compile("(?m)^[^*+\\s]\\S* (OK|NO|BAD)");
        long deadline = System.currentTimeMillis() + millis;
        synchronized (heldBytes) {
            while (!tagged.matcher(heldBytes.toString(StandardCharsets.ISO_8859_1))
                    .find()) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                heldBytes.wait(left);
            }
            return true;
        }
    }

    /** Bytes read from the backend while holding, written to the proxy on {@link #release()}. */
    private final java.io.ByteArrayOutputStream heldBytes = new java.io.ByteArrayOutputStream();

    private volatile OutputStream heldTo;

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket backend = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(backend);
                java.util.concurrent.atomic.AtomicBoolean holding = new java.util.concurrent.atomic.AtomicBoolean();
                pump(
                        client,
                        backend,
                        chunk -> {
                            String m = marker;
                            if (m != null && chunk.contains(m)) {
                                marker = null;
                                holding.set(
                                        true); // set before the command reaches the backend, so no byte of its answer
                                // slips through
                                held.countDown();
                            }
                        },
                        null);
                OutputStream toProxy = client.getOutputStream();
                pump(backend, client, null, (buf, n) -> {
                    if (!holding.get()) {
                        return false;
                    }
                    synchronized (heldBytes) {
                        if (gate.getCount() == 0) {
                            flushHeld(toProxy);
                            return false;
                        }
                        heldTo = toProxy;
                        heldBytes.write(
                                buf, 0, n); // keep reading, so the backend can finish its answer; written on release
                        heldBytes.notifyAll();
                        return true;
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    private void flushHeld(OutputStream out) {
        synchronized (heldBytes) {
            if (heldBytes.size() > 0) {
                try {
                    out.write(heldBytes.toByteArray());
                    out.flush();
                } catch (IOException e) {
                    // the proxy side closed
                }
                heldBytes.reset();
            }
        }
    }

    private interface Inspect {
        void chunk(String text);
    }

    /** Returns true when it kept the chunk (it is then not written now). */
    private interface Hold {
        boolean keep(byte[] buf, int n);
    }

    private static void pump(Socket from, Socket to, Inspect inspect, Hold hold) {
        Loopback.daemon("relay-pump", () -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (inspect != null) {
                        inspect.chunk(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    }
                    if (hold != null && hold.keep(buf, n)) {
                        continue;
                    }
                    synchronized (to) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                try {
                    to.shutdownOutput();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        });
    }

    @Override
    public void close() {
        gate.countDown();
        Loopback.closeQuietly(server);
        Loopback.closeQuietly(sockets);
    }
}

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
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket backend = new Socket(targetHost, targetPort);
        sockets.add(client);
        sockets.add(backend);
        java.util.concurrent.atomic.AtomicBoolean holding = new java.util.concurrent.atomic.AtomicBoolean();
        pump(client, backend, chunk -> {
          String m = marker;
          if (m != null && chunk.contains(m)) {
            marker = null;
            holding.set(true); // set before the command reaches the backend, so no byte of its answer slips through
            held.countDown();
          }
        }, null);
        pump(backend, client, null, () -> {
          if (holding.get()) {
            try {
              gate.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });
      } catch (IOException e) {
        return;
      }
    }
  }

  private interface Inspect {
    void chunk(String text);
  }

  private static void pump(Socket from, Socket to, Inspect inspect, Runnable beforeWrite) {
    Loopback.daemon("relay-pump", () -> {
      byte[] buf = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          if (inspect != null) {
            inspect.chunk(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
          }
          if (beforeWrite != null) {
            beforeWrite.run();
          }
          out.write(buf, 0, n);
          out.flush();
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

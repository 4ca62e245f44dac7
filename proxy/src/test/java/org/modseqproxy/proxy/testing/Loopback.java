package org.modseqproxy.proxy.testing;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** The test suite's own loopback servers and relays: free ports, their daemon threads, closing without fuss. */
public final class Loopback {
    private Loopback() {}

    /** A server socket on a free loopback port. */
    public static ServerSocket listen() {
        try {
            return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loopback port that was free a moment ago and that nobody listens on. */
    public static int unusedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code body} on a new daemon thread (a stuck test server never keeps the test JVM alive). */
    public static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    /** Closes each, ignoring failures: the sockets of a test server being torn down. */
    public static void closeQuietly(Iterable<? extends Closeable> all) {
        for (Closeable c : all) {
            try {
                c.close();
            } catch (IOException ignored) {
                // already closed or reset: nothing left to do
            }
        }
    }

    public static void closeQuietly(Closeable... all) {
        closeQuietly(java.util.List.of(all));
    }
}

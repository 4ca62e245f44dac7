package org.modseqproxy.proxy.multi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.BackendTruth;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyJarProcess;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * Issue 5, "Graceful shutdown (SIGTERM)": the launcher ({@code modseq-proxy run}) as a child process gets SIGTERM while
 * one client is idle and another is in the middle of an APPEND whose literal it sends slowly. The idle client gets
 * {@code * BYE} at once; the APPEND completes (tagged OK, message really on the backend) before that client's BYE; new
 * connections are refused; the process exits 0 within shutdown.gracePeriod plus a margin.
 *
 * <p>Only the last part holds today (see the @Disabled reasons and the report of wt-multi). Run the disabled ones with
 * {@code -Djunit.jupiter.conditions.deactivate=org.junit.*DisabledCondition}.
 */
class GracefulShutdownProcessTest {
    static final int GRACE_SECONDS = 6;

    GreenMailBackend backend;
    ProxyJarProcess proxy;

    @BeforeEach
    void start() {
        backend = new GreenMailBackend();
        var alice = backend.user("alice", "pw");
        backend.deliver(alice, "m1", "body 1");
        proxy = ProxyJarProcess.start(backend.port(), "memory", "shutdown.gracePeriod=" + GRACE_SECONDS + "s");
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    /** A message of exactly {@code size} bytes. */
    static byte[] message(int size) {
        String head = "From: a@example.org\r\nTo: alice@localhost\r\nSubject: slow append\r\n\r\n";
        StringBuilder b = new StringBuilder(head);
        while (b.length() < size - 2) {
            b.append("x".repeat(Math.min(76, size - 2 - b.length()))).append("\r\n");
        }
        while (b.length() < size) {
            b.append('y');
        }
        return b.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    /** What holds today: the process stops accepting, ends every session and exits 0 within the grace period. */
    @Test
    void sigtermRefusesNewConnectionsClosesSessionsAndExitsZero() throws Exception {
        try (RawImap idle = proxy.connect().login("alice", "pw")) {
            idle.ok("s", "SELECT INBOX");
            long t0 = System.nanoTime();
            proxy.terminate(); // SIGTERM to our own child, by its PID
            idle.setTimeout(GRACE_SECONDS * 1000 + 5000);
            List<String> idleSaw = readToEof(idle);
            assertThat(idleSaw).as("idle client; proxy log:%n%s", proxy.log()).allMatch(l -> l.startsWith("* BYE"));
            String outcome = newConnectionOutcome();
            assertThat(outcome)
                    .as("new connection; proxy log:%n%s", proxy.log())
                    .isIn("refused", "reset", "closed", "bye");
            Integer code = proxy.waitFor(Duration.ofSeconds(GRACE_SECONDS + 10));
            assertThat(code).as("exit code; log:%n%s", proxy.log()).isEqualTo(0);
            assertThat(proxy.log()).as("shutdown without a crash in its timers").doesNotContain("NullPointerException");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(GRACE_SECONDS + 10));
        }
    }

    @Test
    void sigtermByesIdleClientsLetsTheSlowAppendFinishRefusesNewOnesAndExitsZero() throws Exception {
        sigtermDuringSlowAppend(200_000); // above the 64 KiB inline limit: the proxy streams the literal
    }

    @Test
    void sigtermDuringASmallLiteralLetsTheCommandFinish() throws Exception {
        sigtermDuringSlowAppend(30_000);
    }

    private void sigtermDuringSlowAppend(int size) throws Exception {
        int before = BackendTruth.flags("127.0.0.1", backend.port(), "alice", "pw", "INBOX")
                .size();
        byte[] msg = message(size);
        try (RawImap idle = proxy.connect().login("alice", "pw");
                RawImap slow = proxy.connect().login("alice", "pw")) {
            idle.ok("s", "SELECT INBOX");
            slow.send("a APPEND INBOX {" + size + "}\r\n");
            assertThat(slow.readLine()).startsWith("+");
            int chunk = size / 10;
            slow.send(java.util.Arrays.copyOfRange(msg, 0, chunk));
            Thread.sleep(300);

            long t0 = System.nanoTime();
            proxy.terminate(); // SIGTERM to our own child, by its PID

            // the idle client: BYE at once, then the connection closes
            idle.setTimeout(5000);
            List<String> idleSaw = readToEof(idle);
            assertThat(idleSaw).as("idle client; proxy log:%n%s", proxy.log()).hasSize(1);
            assertThat(idleSaw.get(0)).startsWith("* BYE");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));

            // new connections are refused (listener closed) or told BYE, never served
            assertThat(newConnectionOutcome()).isIn("refused", "reset", "closed", "bye");

            // the slow client goes on sending its literal over ~2 s, well inside the grace period
            for (int off = chunk; off < size; off += chunk) {
                slow.send(java.util.Arrays.copyOfRange(msg, off, Math.min(size, off + chunk)));
                Thread.sleep(200);
            }
            slow.send("\r\n");
            slow.setTimeout(10_000);
            List<String> slowSaw = readToEof(slow);
            assertThat(slowSaw).as("the in-flight APPEND").isNotEmpty();
            assertThat(slowSaw.get(0)).startsWith("a OK");
            assertThat(slowSaw.get(slowSaw.size() - 1)).startsWith("* BYE");

            Integer code = proxy.waitFor(Duration.ofSeconds(GRACE_SECONDS + 10));
            assertThat(code).as("exit code; log:%n%s", proxy.log()).isEqualTo(0);
            assertThat(proxy.log()).as("shutdown without a crash in its timers").doesNotContain("NullPointerException");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(GRACE_SECONDS + 10));
        }
        assertThat(BackendTruth.flags("127.0.0.1", backend.port(), "alice", "pw", "INBOX"))
                .hasSize(before + 1);
    }

    private String newConnectionOutcome() {
        try (RawImap n = proxy.connect()) {
            n.setTimeout(5000);
            String greeting = n.greeting();
            return greeting == null ? "closed" : greeting.startsWith("* BYE") ? "bye" : "served: " + greeting;
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof ConnectException) {
                return "refused";
            }
            // accepted by the kernel just as the listener closed: reset, never greeted
            return e.getCause() instanceof java.net.SocketException ? "reset" : "error: " + e;
        }
    }

    private static List<String> readToEof(RawImap c) {
        List<String> lines = new ArrayList<>();
        while (true) {
            String l;
            try {
                l = c.readLine();
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof java.net.SocketException) {
                    return lines; // reset after the server closed
                }
                throw e;
            }
            if (l == null) {
                return lines;
            }
            lines.add(l);
        }
    }
}

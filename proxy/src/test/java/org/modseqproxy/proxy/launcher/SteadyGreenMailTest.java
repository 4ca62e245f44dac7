package org.modseqproxy.proxy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.server.AbstractServer;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.ServerSetup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * The demo's backend (issue 13), spoken to directly with raw sockets. Each test is a case GreenMail 2.1's own session
 * gets wrong: the first three answer differently there, the last drops connections at random (a Gatling run against
 * the old demo lost about one request in 1,400 to it).
 */
class SteadyGreenMailTest {
    SteadyGreenMail gm;
    int port;

    @BeforeEach
    void start() {
        gm = new SteadyGreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP).dynamicPort());
        gm.start();
        GreenMailUser user = gm.setUser("demo@localhost", "demo", "demo");
        for (int i = 1; i <= 5; i++) {
            deliver(user, i);
        }
        port = gm.imapPort();
    }

    @AfterEach
    void stop() {
        gm.stop();
    }

    RawImap session() {
        return RawImap.connect("127.0.0.1", port).login("demo", "demo");
    }

    @Test
    void aMailboxADroppedSessionHadSelectedCanBeDeleted() throws Exception {
        RawImap a = session();
        a.ok("a1", "CREATE Box");
        a.ok("a2", "SELECT Box");
        RawImap b = session();
        a.close(); // no LOGOUT, no CLOSE: the connection just ends
        await().atMost(Duration.ofSeconds(30)).until(() -> openConnections() == 1);

        assertThat(b.command("b1", "DELETE Box")).last().asString().startsWith("b1 OK");
        assertThat(b.command("b2", "NOOP")).last().asString().startsWith("b2 OK");
        b.close();
    }

    /**
     * RFC 2177: what IDLE pushed is not said again when IDLE ends. GreenMail's IDLE pushes each change at once and
     * then, at DONE, replayed the session's change log: a second "* 6 EXPUNGE" that took the next new message out of
     * the client's view (the proxy, re-arming IDLE to learn UIDs, lost every second delivery to phones).
     */
    @Test
    void whatIdlePushedIsNotSaidAgainAtDone() {
        RawImap a = session();
        a.ok("a1", "SELECT INBOX");
        RawImap b = session();
        b.ok("b1", "SELECT INBOX");
        a.send("a2 IDLE\r\n");
        assertThat(a.readLine()).startsWith("+");
        b.append("b2", "INBOX", null, message(6));
        assertThat(a.readLine()).isEqualTo("* 6 EXISTS");
        b.ok("b3", "STORE 6 +FLAGS.SILENT (\\Deleted)");
        b.ok("b4", "EXPUNGE");
        List<String> pushed = new ArrayList<>();
        while (pushed.stream().noneMatch(l -> l.endsWith(" EXPUNGE"))) {
            pushed.add(a.readLine());
        }
        a.send("DONE\r\n");
        List<String> atDone = a.readUntilTagged("a2");
        assertThat(atDone).noneMatch(l -> l.endsWith(" EXPUNGE") || l.endsWith(" EXISTS"));
        assertThat(atDone).last().asString().startsWith("a2 OK");
        assertThat(a.command("a3", "NOOP"))
                .noneMatch(l -> l.endsWith(" EXPUNGE"))
                .last()
                .asString()
                .startsWith("a3 OK");
        a.close();
        b.close();
    }

    /**
     * RFC 9051 7.5.1: while a FETCH runs, EXPUNGE may not be sent, so the client still counts the expunged message;
     * another session's flag change on a later message must come with the client's number for it, and EXISTS must
     * keep counting the unreported expunge.
     */
    @Test
    void changesBehindAnUnreportedExpungeUseTheClientsMessageNumbers() {
        RawImap a = session();
        a.ok("a1", "SELECT INBOX");
        RawImap b = session();
        b.ok("b1", "SELECT INBOX");
        b.ok("b2", "STORE 2 +FLAGS.SILENT (\\Deleted)");
        b.ok("b3", "EXPUNGE");
        b.ok("b4", "STORE 3 +FLAGS.SILENT (\\Flagged)"); // UID 4, now message 3 for b, still 4 for a
        b.append("b5", "INBOX", null, message(6));

        List<String> fetch = a.command("a2", "FETCH 1 (FLAGS)");
        assertThat(fetch).contains("* 4 FETCH (FLAGS (\\Flagged))", "* 6 EXISTS");
        assertThat(fetch).noneMatch(l -> l.endsWith("EXPUNGE"));
        List<String> noop = a.command("a3", "NOOP");
        assertThat(noop).contains("* 2 EXPUNGE");
        assertThat(a.command("a4", "FETCH 5 (UID)")).contains("* 5 FETCH (UID 6)");
        a.close();
        b.close();
    }

    /** Writers on several connections, each also draining the others' changes: no session is ever dropped. */
    @Test
    void concurrentWritersAndReadersKeepEverySession() throws Exception {
        int clients = 4;
        int rounds = 250;
        List<String> failures = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            done.add(pool.submit(() -> {
                try (RawImap s = session()) {
                    s.ok("s", "SELECT INBOX");
                    for (int r = 0; r < rounds; r++) {
                        int msn = 1 + (r + id) % 5;
                        String sign = r % 2 == 0 ? "+" : "-";
                        String[] commands = {
                            "STORE " + msn + " " + sign + "FLAGS (\\Seen)", "UID FETCH 1:* (FLAGS)", "NOOP"
                        };
                        for (String command : commands) {
                            List<String> answer = s.command("t" + r, command);
                            String last = answer.get(answer.size() - 1);
                            if (!last.startsWith("t" + r + " OK")) {
                                failures.add(id + ": " + command + " -> " + last);
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    failures.add(id + ": " + e);
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(failures).isEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() -> openConnections() == 0);
    }

    int openConnections() throws ReflectiveOperationException {
        java.lang.reflect.Field handlers = AbstractServer.class.getDeclaredField("handlers");
        handlers.setAccessible(true);
        java.lang.reflect.Field services = com.icegreen.greenmail.util.GreenMail.class.getDeclaredField("services");
        services.setAccessible(true);
        Object server = ((java.util.Map<?, ?>) services.get(gm)).get(ServerSetup.PROTOCOL_IMAP);
        return ((List<?>) handlers.get(server)).size();
    }

    static String message(int i) {
        return "From: a@example.org\r\nSubject: m" + i + "\r\n\r\nbody " + i + "\r\n";
    }

    static void deliver(GreenMailUser user, int i) {
        try {
            user.deliver(new jakarta.mail.internet.MimeMessage(
                    jakarta.mail.Session.getInstance(new java.util.Properties()),
                    new java.io.ByteArrayInputStream(message(i).getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}

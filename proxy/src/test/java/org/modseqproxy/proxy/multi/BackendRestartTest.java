package org.modseqproxy.proxy.multi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.modseqproxy.proxy.testing.BackendTruth;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.QresyncClient;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.proxy.testing.RestartableGreenMail;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.testing.RedisServerExtension;

/**
 * Issue 5, "Backend restarted during sessions: clients get BYE, reconnect, resync correctly". GreenMail is restarted
 * on the same port with the same mail (like a server with a persistent store); sessions on two proxy instances (one
 * idle, one in IDLE) must get {@code * BYE} and a closed socket, never a hang; after reconnecting, QRESYNC from
 * their last state gives the backend's truth, including changes made while the backend was restarting.
 */
class BackendRestartTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    RestartableGreenMail backend;
    com.icegreen.greenmail.user.GreenMailUser alice;
    ProxyFixture p1;
    ProxyFixture p2;

    @BeforeEach
    void start() {
        REDIS.server().flushAll();
        backend = RestartableGreenMail.launch();
        alice = backend.userWithMessages("alice", "pw", 20);
        p1 = ProxyFixture.start("127.0.0.1", backend.port(), REDIS.server().uri(), c -> {});
        p2 = ProxyFixture.start("127.0.0.1", backend.port(), REDIS.server().uri(), c -> {});
    }

    @AfterEach
    void stop() {
        p1.close();
        p2.close();
        backend.close();
    }

    @Test
    void sessionsGetByeThenReconnectAndResyncCorrectly() {
        QresyncClient a;
        QresyncClient b;
        try (RawImap ca = p1.connect().login("alice", "pw");
                RawImap cb = p2.connect().login("alice", "pw")) {
            ca.ok("e", "ENABLE QRESYNC");
            cb.ok("e", "ENABLE QRESYNC");
            long uv = ImapLines.uidValidity(ca.command("x", "EXAMINE INBOX"));
            a = QresyncClient.full(ca, "INBOX", uv, "s").after();
            b = QresyncClient.full(cb, "INBOX", uv, "s").after();
            ca.ok("f", "UID STORE 1 +FLAGS (\\Flagged)");
            cb.send("i IDLE\r\n");
            String cont = cb.readLine();
            while (cont != null && !cont.startsWith("+")) {
                cont = cb.readLine(); // the FETCH for A's change may come first
            }
            assertThat(cont).startsWith("+");

            backend.down();
            ca.setTimeout(10_000);
            cb.setTimeout(10_000);
            assertThat(readToEof(ca)).as("idle session").anyMatch(l -> l.startsWith("* BYE"));
            assertThat(readToEof(cb)).as("session in IDLE").anyMatch(l -> l.startsWith("* BYE"));
            // while the backend is down, a new client is refused politely (no hang)
            try (RawImap n = p1.connect()) {
                n.setTimeout(10_000);
                assertThat(n.greeting()).startsWith("* OK");
                List<String> login = n.command("l", "LOGIN alice pw");
                assertThat(ImapLines.tagged(login)).startsWith("l NO");
            }
            // changes made on the store while the proxies could not see them
            backend.deliver(alice, "while down", "delivered while the IMAP side was down");
            backend.up();
        }
        try (RawImap direct = RawImap.connect("127.0.0.1", backend.port())) {
            direct.login("alice", "pw");
            direct.ok("a", "SELECT INBOX");
            direct.ok("b", "UID STORE 2 +FLAGS (\\Deleted)");
            direct.ok("c", "EXPUNGE");
            direct.ok("d", "UID STORE 3 +FLAGS (\\Seen)");
            direct.ok("z", "LOGOUT");
        }
        Map<Long, Flags> truth = BackendTruth.flags("127.0.0.1", backend.port(), "alice", "pw", "INBOX");
        assertThat(truth).doesNotContainKey(2L).containsKey(21L);
        assertThat(truth.get(1L).list()).contains("\\Flagged");
        int i = 0;
        for (QresyncClient old : List.of(a, b)) {
            for (ProxyFixture p : List.of(p1, p2)) {
                try (RawImap c = p.connect().login("alice", "pw")) {
                    c.ok("e", "ENABLE QRESYNC");
                    QresyncClient.Resync r = old.resync(c, "INBOX", "q" + i++, true);
                    assertThat(r.problems()).isEmpty();
                    assertThat(r.after().uidValidity()).isEqualTo(old.uidValidity());
                    assertThat(BackendTruth.diff(truth, r.after().cache())).isEmpty();
                    assertThat(r.vanished()).isEqualTo(org.modseqproxy.state.UidSet.of(2));
                    assertThat(r.after().highestModSeq()).isGreaterThan(old.highestModSeq());
                }
            }
        }
    }

    private static List<String> readToEof(RawImap c) {
        List<String> lines = new java.util.ArrayList<>();
        while (true) {
            String l = c.readLine(); // throws on timeout: a hang fails the test
            if (l == null) {
                return lines;
            }
            lines.add(l);
        }
    }
}

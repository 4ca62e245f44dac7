package org.modseqproxy.proxy.multi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.QresyncClient;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.state.UidSet;

/**
 * Bug 5 of the wt-multi report, found by TwoInstancesConcurrencyTest: RFC 7162 3.2.5.1 says a client that gives no
 * known-uids is treated as knowing "1:&lt;maxuid&gt;" with maxuid = UIDNEXT - 1. Select.qresyncAnswer() uses the highest
 * UID still present instead, so when the message with the highest UID was expunged, that UID is never reported in
 * VANISHED (EARLIER) and the client keeps a message that no longer exists.
 */
class QresyncWithoutKnownUidsTest {
    GreenMailBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        backend = new GreenMailBackend();
        backend.userWithMessages("alice", "pw", 5);
        proxy = ProxyFixture.start("127.0.0.1", backend.port());
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    private QresyncClient expungeAfterSnapshot(long uid) {
        QresyncClient old =
                QresyncClient.fullFrom(proxy, "alice", "pw", "INBOX").after();
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            c.ok("s", "SELECT INBOX");
            c.ok("d", "UID STORE " + uid + " +FLAGS (\\Deleted)");
            assertThat(c.command("x", "EXPUNGE")).contains("* VANISHED " + uid);
        }
        return old;
    }

    /** Control: an expunged UID below the highest present one is reported. */
    @Test
    void expungedMiddleUidIsReportedWithoutKnownUids() {
        QresyncClient old = expungeAfterSnapshot(3);
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            QresyncClient.Resync r = old.resync(c, "INBOX", "q", false);
            assertThat(r.vanished()).isEqualTo(UidSet.of(3));
        }
    }

    @Test
    void expungedHighestUidIsReportedWithoutKnownUids() {
        QresyncClient old = expungeAfterSnapshot(5);
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            QresyncClient.Resync r = old.resync(c, "INBOX", "q", false);
            List<String> lines = r.lines();
            assertThat(r.vanished()).as(ImapLines.shorten(lines)).isEqualTo(UidSet.of(5));
            assertThat(r.after().cache()).doesNotContainKey(5L);
        }
    }
}

package org.modseqproxy.proxy.multi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.HoldingRelay;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.proxy.testing.TwoProxies;
import org.modseqproxy.state.testing.RedisServerExtension;

/**
 * Races of imaptest's stress mode (two instances, one Redis, QRESYNC clients) made deterministic with a
 * {@link HoldingRelay} in front of the backend of instance 2: an expunge by someone else lands between what the
 * backend told instance 2 and what instance 2 tells its client. Whatever the timing, the client's numbering must stay
 * the backend session's: every message counted by EXISTS is named by a later VANISHED only when this session's
 * backend reports it gone, and never by a raw EXPUNGE once QRESYNC is on (RFC 7162 3.2.10).
 */
class QresyncSelectRacesTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    TwoProxies two;
    GreenMailBackend backend;
    HoldingRelay relay;
    ProxyFixture p1;
    ProxyFixture p2;

    @BeforeEach
    void start() {
        REDIS.server().flushAll();
        two = TwoProxies.startSecondThroughRelay(REDIS.server().uri());
        backend = two.backend;
        relay = two.relay;
        p1 = two.p1;
        p2 = two.p2;
        backend.userWithMessages("alice", "pw", 5);
    }

    @AfterEach
    void stop() {
        two.close();
    }

    /**
     * Instance 2's listing shows UID 3; before instance 2 has read it, a client of instance 1 expunges UID 3 (the store
     * logs it). Instance 2's backend connection reports that expunge only at its next command, so UID 3 is still at
     * sequence number 3 there: the SELECT answer counts it and must not also name it in VANISHED (EARLIER), which does
     * not renumber (RFC 7162 3.2.10.1). It is reported by "* VANISHED 3" once the backend says so.
     */
    @Test
    void theQresyncAnswerNeverNamesAMessageTheSessionStillCounts() throws Exception {
        try (RawImap a = p1.connect().login("alice", "pw");
                RawImap c = p2.connect().login("alice", "pw")) {
            a.ok("e", "ENABLE QRESYNC");
            List<String> first = a.command("s", "SELECT INBOX");
            long uv = ImapLines.uidValidity(first);
            long hms = ImapLines.highestModSeq(first);

            c.ok("e", "ENABLE QRESYNC");
            relay.holdAfter("UID FETCH 1:* (FLAGS)");
            c.send("s SELECT INBOX (QRESYNC (" + uv + " " + hms + "))\r\n");
            assertThat(relay.awaitHeld(10_000)).isTrue();
            assertThat(relay.awaitHeldCompletion(10_000))
                    .as("the backend answered instance 2's listing")
                    .isTrue();

            a.ok("d", "UID STORE 3 +FLAGS (\\Deleted)");
            assertThat(a.command("x", "UID EXPUNGE 3")).contains("* VANISHED 3");
            relay.release();

            List<String> sel = c.readUntilTagged("s");
            assertThat(ImapLines.tagged(sel)).startsWith("s OK");
            assertThat(sel).as("the backend session still has 5 messages").contains("* 5 EXISTS");
            assertThat(sel).as("SELECT answer").noneMatch(l -> l.startsWith("* VANISHED"));

            List<String> noop = c.command("n", "NOOP");
            assertThat(noop).contains("* VANISHED 3");
            assertThat(c.command("f", "UID FETCH 1:* (FLAGS)").stream()
                            .filter(l -> l.startsWith("* ") && l.contains(" FETCH "))
                            .count())
                    .isEqualTo(4);
        }
    }

    /**
     * After ENABLE QRESYNC, a plain SELECT still lists the mailbox. An expunge by someone else that the backend reports
     * during that listing must not reach the client as "* n EXPUNGE" (RFC 7162 3.2.10.2), and the count the client is
     * given must be the one its later answers agree with.
     */
    @Test
    void aPlainSelectAfterEnableQresyncNeverRelaysARawExpunge() throws Exception {
        try (RawImap c = p2.connect().login("alice", "pw");
                RawImap direct = RawImap.connect("127.0.0.1", backend.port())) {
            direct.greeting();
            direct.ok("l", "LOGIN alice pw");
            direct.ok("s", "SELECT INBOX");

            c.ok("e", "ENABLE QRESYNC");
            relay.holdAfter("SELECT INBOX");
            c.send("s SELECT INBOX\r\n");
            assertThat(relay.awaitHeld(10_000)).isTrue();
            assertThat(relay.awaitHeldCompletion(10_000))
                    .as("the backend answered instance 2's SELECT")
                    .isTrue();

            direct.ok("d", "UID STORE 2 +FLAGS (\\Deleted)");
            direct.ok("x", "EXPUNGE");
            relay.release();

            List<String> sel = c.readUntilTagged("s");
            assertThat(ImapLines.tagged(sel)).startsWith("s OK");
            assertThat(sel).as("SELECT answer").noneMatch(l -> l.matches("\\* \\d+ EXPUNGE"));
            long count = sel.stream()
                    .filter(l -> l.matches("\\* \\d+ EXISTS"))
                    .mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                    .reduce((x, y) -> y)
                    .orElseThrow();

            List<String> noop = c.command("n", "NOOP");
            assertThat(noop).noneMatch(l -> l.matches("\\* \\d+ EXPUNGE"));
            for (String l : noop) {
                if (l.startsWith("* VANISHED ")) {
                    count -= org.modseqproxy.state.UidSet.parse(l.substring("* VANISHED ".length()), 1_000)
                            .size();
                }
            }
            List<String> all = c.command("f", "FETCH 1:* (UID)");
            assertThat(all.stream()
                            .filter(l -> l.startsWith("* ") && l.contains(" FETCH "))
                            .count())
                    .as("%s then %s then %s", sel, noop, all)
                    .isEqualTo(count)
                    .isEqualTo(4);
        }
    }
}

package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * Arguments that used to freeze an event loop or slip through unchecked (DESIGN "Bad input"; RFC 9051 section 9 for
 * the 32-bit numbers). Each gets a tagged answer and the session goes on. The ceiling of the whole class is generous
 * on purpose: before the fix the huge ranges cost 8-25 s each, now they are answered at once.
 */
@Timeout(120)
class HostileArgumentsTest {
    static GreenMailBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() {
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("mallory", "pw", 20);
        proxy = ProxyFixture.start("127.0.0.1", backend.port());
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void hugeRangesAreClampedToTheMailbox() {
        try (RawImap c = proxy.connect().login("mallory", "pw")) {
            c.ok("s", "SELECT INBOX (CONDSTORE)");
            // Each of these walked 4 billion numbers on the event loop; ten in a row would take minutes.
            for (int i = 0; i < 10; i++) {
                // message numbers above EXISTS: a BAD, as native Dovecot answers, at once
                List<String> store = c.command("a" + i, "STORE 1:4294967295 (UNCHANGEDSINCE 1) +FLAGS (\\Flagged)");
                assertThat(ImapLines.tagged(store)).startsWith("a" + i + " BAD");
                List<String> fetch = c.command("b" + i, "FETCH 1:4294967295 (FLAGS) (CHANGEDSINCE 1)");
                assertThat(ImapLines.tagged(fetch)).startsWith("b" + i + " BAD");
                List<String> all = c.command("d" + i, "UID STORE 1:4294967295 (UNCHANGEDSINCE 1) +FLAGS (\\Flagged)");
                assertThat(ImapLines.tagged(all)).startsWith("d" + i + " OK");
                List<String> uid = c.command("c" + i, "UID FETCH 1:4294967295 (FLAGS) (CHANGEDSINCE 1)");
                assertThat(ImapLines.tagged(uid)).startsWith("c" + i + " OK");
            }
            assertThat(ImapLines.tagged(c.command("n", "NOOP"))).startsWith("n OK");
        }
    }

    @Test
    void numbersOutsideRfc9051AreBad() {
        try (RawImap c = proxy.connect().login("mallory", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            c.ok("s", "SELECT INBOX (CONDSTORE)");
            assertThat(c.command("a", "STORE 99999999999 (UNCHANGEDSINCE 1) +FLAGS (\\Seen)")
                            .get(0))
                    .startsWith("a BAD");
            assertThat(c.command("b", "FETCH 0 (FLAGS) (CHANGEDSINCE 1)").get(0))
                    .startsWith("b BAD");
            assertThat(c.command("c", "UID FETCH 1:4294967296 (FLAGS) (CHANGEDSINCE 1 VANISHED)")
                            .get(0))
                    .startsWith("c BAD");
            assertThat(ImapLines.tagged(c.command("d", "EXAMINE INBOX (QRESYNC (8589934592 1))")))
                    .startsWith("d BAD");
            // RFC 7162 section 7: known-uids holds no 0 and no '*'; it was an exception (NO [SERVERBUG]) before
            assertThat(ImapLines.tagged(c.command("f", "EXAMINE INBOX (QRESYNC (1 1 0:5))")))
                    .startsWith("f BAD");
            assertThat(ImapLines.tagged(c.command("g", "EXAMINE INBOX (QRESYNC (1 1 1:*))")))
                    .startsWith("g BAD");
            assertThat(ImapLines.tagged(c.command("h", "EXAMINE INBOX (QRESYNC (1 1 1:4294967296))")))
                    .startsWith("h BAD");
            assertThat(ImapLines.tagged(c.command("n", "NOOP"))).startsWith("n OK");
        }
    }

    /** RFC 9051 6.2.2: every command ends with a tagged answer, also an AUTHENTICATE whose continuation is too long. */
    @Test
    void tooLongAuthenticateContinuationGetsATaggedBad() {
        try (RawImap c = proxy.connect()) {
            c.greeting();
            c.send("t1 AUTHENTICATE PLAIN\r\n");
            assertThat(c.readLine()).startsWith("+");
            c.send("A".repeat(70_000) + "\r\n");
            List<String> answer = c.readUntilTagged("t1");
            assertThat(ImapLines.tagged(answer)).startsWith("t1 BAD");
            assertThat(ImapLines.tagged(c.command("n", "NOOP"))).startsWith("n OK");
            assertThat(c.ok("l", "LOGIN mallory pw")).startsWith("l OK");
        }
    }

    /** RFC 9051 4.3: a literal never holds NUL; such a LOGIN is a BAD and never reaches the backend. */
    @Test
    void nulInALoginLiteralIsBad() {
        try (RawImap c = proxy.connect()) {
            c.greeting();
            c.send("a LOGIN {8+}\r\nmal\0lory pw\r\n");
            assertThat(c.readLine()).startsWith("a BAD");
            assertThat(ImapLines.tagged(c.command("n", "NOOP"))).startsWith("n OK");
        }
    }

    /** RFC 2177: a line in IDLE that is not DONE ends it with BAD, also one too long to be read (a 70 KB line). */
    @Test
    void tooLongLineInIdleEndsItWithBad() {
        try (RawImap c = proxy.connect().login("mallory", "pw")) {
            c.ok("s", "SELECT INBOX");
            c.send("i IDLE\r\n");
            assertThat(c.readLine()).startsWith("+");
            c.send("DONE" + "x".repeat(70_000) + "\r\n");
            assertThat(ImapLines.tagged(c.readUntilTagged("i"))).startsWith("i BAD");
            assertThat(ImapLines.tagged(c.command("n", "NOOP"))).startsWith("n OK");
        }
    }
}

package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * A session that never enables CONDSTORE still writes through the proxy: its STORE .SILENT must move
 * HIGHESTMODSEQ and reach a QRESYNC client's resync in both consistency modes (in exclusive mode nothing lists the
 * mailbox later, so the proxy must witness them as they pass).
 */
class PlainWriterTest {
    GreenMailBackend backend;
    ProxyFixture proxy;

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"shared", "exclusive"})
    void plainSilentStoresAndExpungesReachTheQresyncClient(String mode) {
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("plain", "pw", 10);
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), "memory", c -> c.set("state.mode", mode));
        long uidValidity;
        long highest;
        try (RawImap q = proxy.connect().login("plain", "pw")) {
            q.ok("e", "ENABLE QRESYNC");
            List<String> sel = q.command("s", "SELECT INBOX (CONDSTORE)");
            uidValidity = ImapLines.uidValidity(sel);
            highest = ImapLines.highestModSeq(sel);
        }
        try (RawImap plain = proxy.connect().login("plain", "pw")) {
            plain.ok("s", "SELECT INBOX");
            List<String> store = plain.command("a", "UID STORE 2,4,6 +FLAGS.SILENT (\\Flagged)");
            // a plain client asked for silence and gets it: no MODSEQ, no FETCH
            assertThat(store).hasSize(1);
            assertThat(ImapLines.tagged(store)).startsWith("a OK");
            // (no EXPUNGE here: a changed message count makes exclusive mode list the mailbox, which would hide the
            // defect)
        }
        try (RawImap q = proxy.connect().login("plain", "pw")) {
            q.ok("e", "ENABLE QRESYNC");
            List<String> sel = q.command("s", "SELECT INBOX (QRESYNC (" + uidValidity + " " + highest + " 1:10))");
            assertThat(ImapLines.highestModSeq(sel)).isGreaterThan(highest);
            assertThat(sel)
                    .filteredOn(l -> l.contains(" FETCH "))
                    .hasSize(3)
                    .allSatisfy(l -> assertThat(l).contains("\\Flagged"));
        }
    }
}

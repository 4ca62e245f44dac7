package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * A SELECT after ENABLE QRESYNC holds its EXISTS until the listing is done; the count must still come before
 * UIDVALIDITY, as native servers send it, whatever order the backend used (GreenMail and Courier say UIDVALIDITY
 * first). imaptest restores its QRESYNC cache when it reads UIDVALIDITY, with the count it has seen so far, and
 * reported "Message count dropped 8 -> 0" on every SELECT through the proxy in front of Courier.
 */
class QresyncSelectOrderTest {
    GreenMailBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        backend = new GreenMailBackend();
        backend.userWithMessages("alice", "pw", 4);
        proxy = ProxyFixture.start("127.0.0.1", backend.port());
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void existsComesBeforeUidValidity(boolean withQresyncParameter) {
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            long uv = ImapLines.uidValidity(c.command("x", "EXAMINE INBOX"));
            List<String> sel =
                    c.command("s", withQresyncParameter ? "SELECT INBOX (QRESYNC (" + uv + " 1))" : "SELECT INBOX");
            assertThat(ImapLines.tagged(sel)).startsWith("s OK");
            int exists = indexOf(sel, "* 4 EXISTS");
            int uidValidity = indexOf(sel, "* OK [UIDVALIDITY");
            assertThat(exists).as("%s", sel).isNotNegative().isLessThan(uidValidity);
            assertThat(sel.stream().filter(l -> l.startsWith("* OK [UIDVALIDITY")))
                    .hasSize(1);
        }
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}

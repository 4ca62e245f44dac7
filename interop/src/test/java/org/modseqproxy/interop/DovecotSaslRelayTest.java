package org.modseqproxy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.modseqproxy.proxy.testing.ProxyFixture;

/**
 * Issue 12: SASL relayed through the proxy to a real Dovecot (CONDSTORE hidden): AUTH=LOGIN, which Dovecot offers
 * and the proxy does not run itself. Every challenge is Dovecot's own and every response reaches Dovecot as the client
 * wrote it (RFC 9051 6.2.2), with and without the initial response (RFC 4959), and a cancel ("*") is Dovecot's BAD.
 */
@RequiresBackend(Backend.DOVECOT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DovecotSaslRelayTest {
    static final String PASSWORD = "secret1";

    DovecotServer dovecot;
    ProxyFixture proxy;

    @BeforeAll
    void startAll() throws Exception {
        dovecot = new DovecotServer(DovecotServer.Mode.HIDDEN_CONDSTORE, MailUser.of("sasl", PASSWORD)).start();
        dovecot.deliver("sasl", "INBOX", TestMessages.message("one"));
        proxy = ProxyFixture.start(dovecot.host(), dovecot.port());
    }

    @AfterAll
    void stopAll() {
        if (proxy != null) {
            proxy.close();
        }
        if (dovecot != null) {
            dovecot.stop();
        }
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private RawImapClient client() throws Exception {
        return RawImapClient.connect(proxy.host(), proxy.port());
    }

    @Test
    void authLoginIsOfferedAndEachStepIsDovecotsOwn() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            try (RawImapClient c = client()) {
                assertThat(c.command("CAPABILITY").single("CAPABILITY")).contains("AUTH=PLAIN AUTH=LOGIN");
            }
        });
        try (RawImapClient c = client()) {
            c.write("a AUTHENTICATE LOGIN\r\n");
            assertThat(c.readLine()).isEqualTo("+ " + b64("Username:")); // Dovecot's challenge
            c.write(b64("sasl") + "\r\n");
            assertThat(c.readLine()).isEqualTo("+ " + b64("Password:"));
            c.write(b64(PASSWORD) + "\r\n");
            ImapReply ok = c.readReply("a");
            assertThat(ok.tagged()).startsWith("a OK [CAPABILITY ").contains("CONDSTORE QRESYNC");
            assertThat(c.command("SELECT INBOX (CONDSTORE)").untagged())
                    .contains("* 1 EXISTS")
                    .anyMatch(l -> l.startsWith("* OK [HIGHESTMODSEQ "));
            assertThat(proxy.proxy().sessions())
                    .filteredOn(v -> "sasl".equals(v.user()))
                    .hasSize(1);
        }
        try (RawImapClient c = client()) {
            c.write("b AUTHENTICATE LOGIN " + b64("sasl") + "\r\n"); // SASL-IR: the user name inline
            assertThat(c.readLine()).isEqualTo("+ " + b64("Password:"));
            c.write(b64(PASSWORD) + "\r\n");
            assertThat(c.readReply("b").isOk()).isTrue();
        }
    }

    @Test
    void aCancelAndAWrongPasswordAreDovecotsAnswers() throws Exception {
        try (RawImapClient c = client()) {
            c.write("a AUTHENTICATE LOGIN\r\n");
            assertThat(c.readLine()).startsWith("+ ");
            c.write("*\r\n");
            assertThat(c.readReply("a").tagged()).startsWith("a BAD");
            c.write("b AUTHENTICATE LOGIN " + b64("sasl") + "\r\n");
            assertThat(c.readLine()).startsWith("+ ");
            c.write(b64("wrong") + "\r\n");
            assertThat(c.readReply("b").tagged()).startsWith("b NO [AUTHENTICATIONFAILED]");
            assertThat(c.command("LOGIN sasl " + PASSWORD).isOk()).isTrue(); // the connection is still usable
        }
    }
}

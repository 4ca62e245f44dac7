package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * Issue 12: AUTHENTICATE relayed to the backend (RFC 9051 6.2.2, SASL-IR RFC 4959) for a mechanism the proxy does not
 * run itself: XOAUTH2 against GreenMail, which checks the bearer token as the user's password. The proxy offers it
 * because the backend does, relays every step verbatim and keys the session's state by the user the first response
 * names.
 */
class SaslRelayTest {
    GreenMailBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("alice", "token-of-alice", 2);
        proxy = ProxyFixture.start("127.0.0.1", backend.port());
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    static String xoauth2(String user, String token) {
        String s = (user == null ? "" : "user=" + user + "\u0001") + "auth=Bearer " + token + "\u0001\u0001";
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private RawImap connected() {
        RawImap c = proxy.connect();
        c.greeting();
        return c;
    }

    @Test
    void theBackendsMechanismIsOfferedAndRelayed() {
        // learnt from the backend at start: GreenMail offers XOAUTH2, not LOGIN
        try (RawImap direct = RawImap.connect("127.0.0.1", backend.port())) {
            direct.greeting();
            assertThat(direct.command("c", "CAPABILITY").get(0))
                    .contains("AUTH=XOAUTH2")
                    .doesNotContain("AUTH=LOGIN");
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            try (RawImap c = connected()) {
                assertThat(c.command("c", "CAPABILITY").get(0))
                        .contains("AUTH=PLAIN AUTH=XOAUTH2")
                        .doesNotContain("AUTH=LOGIN");
            }
        });
        try (RawImap c = connected()) {
            // with the initial response (SASL-IR)
            assertThat(c.ok("a", "AUTHENTICATE XOAUTH2 " + xoauth2("alice", "token-of-alice")))
                    .startsWith("a OK");
            assertThat(c.command("s", "SELECT INBOX")).anyMatch(l -> l.equals("* 2 EXISTS"));
            assertThat(proxy.proxy().sessions())
                    .singleElement()
                    .satisfies(v -> assertThat(v.user()).isEqualTo("alice"));
        }
        try (RawImap c = connected()) {
            // without: the proxy asks for the first response itself (it needs the user to pick the store), then
            // hands it to the store inline, which GreenMail wants for XOAUTH2
            c.send("b AUTHENTICATE XOAUTH2\r\n");
            assertThat(c.readLine()).isEqualTo("+ ");
            c.send(xoauth2("alice", "token-of-alice") + "\r\n");
            assertThat(c.readUntilTagged("b")).last().asString().startsWith("b OK");
            assertThat(c.ok("n", "NOOP")).startsWith("n OK");
        }
        try (RawImap c = connected()) {
            c.send("x AUTHENTICATE XOAUTH2\r\n");
            assertThat(c.readLine()).isEqualTo("+ ");
            c.send("*\r\n"); // RFC 9051 6.2.2: a cancel is BAD
            assertThat(c.readUntilTagged("x")).last().asString().startsWith("x BAD");
        }
    }

    @Test
    void aWrongTokenIsTheBackendsNoAndANamelessResponseIsRefused() {
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> proxy.proxy().config().auth().relay().contains("XOAUTH2")
                        && capabilities().contains("AUTH=XOAUTH2"));
        try (RawImap c = connected()) {
            List<String> wrong = c.command("a", "AUTHENTICATE XOAUTH2 " + xoauth2("alice", "stolen"));
            assertThat(String.join("\n", wrong)).doesNotContain("stolen");
            assertThat(wrong).last().asString().startsWith("a NO");
            assertThat(c.command("d", "AUTHENTICATE XOAUTH2 " + xoauth2(null, "token-of-alice")))
                    .last()
                    .asString()
                    .startsWith("d NO [CANNOT]");
            // still not authenticated, and can log in now
            assertThat(c.command("s", "SELECT INBOX")).last().asString().startsWith("s BAD");
            assertThat(c.ok("e", "AUTHENTICATE XOAUTH2 " + xoauth2("alice", "token-of-alice")))
                    .startsWith("e OK");
        }
    }

    @Test
    void withoutRelayOnlyPlainIsOffered() {
        proxy.close();
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), "memory", c -> c.set("auth.relay", List.of()));
        try (RawImap c = connected()) {
            assertThat(c.command("c", "CAPABILITY").get(0))
                    .contains("AUTH=PLAIN")
                    .doesNotContain("XOAUTH2");
            assertThat(c.command("a", "AUTHENTICATE XOAUTH2 " + xoauth2("alice", "token-of-alice")))
                    .last()
                    .asString()
                    .startsWith("a NO [CANNOT]");
        }
    }

    private String capabilities() {
        try (RawImap c = connected()) {
            return c.command("c", "CAPABILITY").get(0);
        }
    }
}

package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;

/** Scripted sessions through the proxy against GreenMail: pipelining, literals, STARTTLS, bad input. */
class RawSessionTest {
    static GreenMailBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = new GreenMailBackend();
        var alice = backend.user("alice", "secret");
        for (int i = 1; i <= 5; i++) {
            backend.deliver(alice, "msg " + i, "body " + i);
        }
        proxy = ProxyFixture.start("127.0.0.1", backend.port());
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void greetingAdvertisesProxyCapabilities() {
        try (RawImap c = proxy.connect()) {
            String greeting = c.greeting();
            assertThat(greeting)
                    .startsWith("* OK [CAPABILITY IMAP4rev1 ")
                    .contains("STARTTLS", "AUTH=PLAIN", "SASL-IR", "LITERAL+");
            List<String> caps = c.command("a", "CAPABILITY");
            assertThat(caps.get(0)).startsWith("* CAPABILITY ").contains("STARTTLS");
            assertThat(caps.get(1)).startsWith("a OK");
        }
    }

    @Test
    void loginRelaysBackendVerdictAndEditsCapabilities() {
        try (RawImap c = proxy.connect()) {
            c.greeting();
            List<String> bad = c.command("a", "LOGIN alice wrong");
            assertThat(bad).hasSize(1);
            assertThat(bad.get(0)).startsWith("a NO ");
            // the failed backend connection is logged out; its "* BYE" must never reach the client
            List<String> noop = c.command("n", "NOOP");
            assertThat(noop).containsExactly("n OK NOOP completed");
            String ok = c.ok("b", "LOGIN alice secret");
            assertThat(ok)
                    .startsWith("b OK [CAPABILITY ")
                    .contains("CONDSTORE", "QRESYNC", "ENABLE", "LITERAL+")
                    .doesNotContain("AUTH=", "STARTTLS");
            List<String> caps = c.command("c", "CAPABILITY");
            assertThat(caps.get(0)).contains("CONDSTORE").doesNotContain("AUTH=");
        }
    }

    @Test
    void authenticatePlainWithAndWithoutInitialResponse() {
        String ir = java.util.Base64.getEncoder().encodeToString("\0alice\0secret".getBytes(StandardCharsets.UTF_8));
        try (RawImap c = proxy.connect()) {
            c.greeting();
            assertThat(c.ok("a", "AUTHENTICATE PLAIN " + ir)).startsWith("a OK");
        }
        try (RawImap c = proxy.connect()) {
            c.greeting();
            c.send("a AUTHENTICATE PLAIN\r\n");
            assertThat(c.readLine()).startsWith("+");
            c.send(ir + "\r\n");
            assertThat(c.readUntilTagged("a")).last().asString().startsWith("a OK");
            assertThat(c.command("b", "SELECT INBOX")).last().asString().startsWith("b OK");
        }
        try (RawImap c = proxy.connect()) {
            c.greeting();
            c.send("a AUTHENTICATE PLAIN\r\n");
            c.readLine();
            c.send("*\r\n");
            assertThat(c.readUntilTagged("a")).last().asString().startsWith("a BAD");
        }
    }

    @Test
    void pipelinedCommandsAnswerInOrder() {
        try (RawImap c = proxy.connect()) {
            c.login("alice", "secret");
            c.send("p1 SELECT INBOX\r\np2 FETCH 1 (FLAGS)\r\np3 NOOP\r\np4 FETCH 2:3 (UID)\r\n");
            List<String> r1 = c.readUntilTagged("p1");
            assertThat(r1).anyMatch(l -> l.matches("\\* \\d+ EXISTS"));
            List<String> r2 = c.readUntilTagged("p2");
            assertThat(r2.get(0)).startsWith("* 1 FETCH (FLAGS");
            assertThat(c.readUntilTagged("p3")).last().asString().startsWith("p3 OK");
            List<String> r4 = c.readUntilTagged("p4");
            assertThat(r4).hasSize(3);
            assertThat(r4.get(0)).startsWith("* 2 FETCH (UID");
        }
    }

    @Test
    void literalsSplitAcrossReadsAndLiteralPlus() throws Exception {
        try (RawImap c = proxy.connect()) {
            c.greeting();
            // synchronizing literal for the user name, sent in pieces
            c.send("a LOGIN {5}\r\n");
            assertThat(c.readLine()).startsWith("+");
            c.send("al");
            Thread.sleep(30);
            c.send("ice ");
            Thread.sleep(30);
            c.send("{6+}\r\nsec");
            Thread.sleep(30);
            c.send("ret\r\n");
            assertThat(c.readUntilTagged("a")).last().asString().startsWith("a OK");
            String msg = "Subject: split\r\n\r\nhello split world\r\n";
            c.send("b APPEND INBOX {" + msg.length() + "+}\r\n" + msg.substring(0, 10));
            Thread.sleep(30);
            c.send(msg.substring(10) + "\r\n");
            assertThat(c.readUntilTagged("b")).last().asString().startsWith("b OK");
            c.ok("c", "SELECT INBOX");
            List<String> fetched = c.command("d", "FETCH * BODY.PEEK[HEADER.FIELDS (SUBJECT)]");
            assertThat(String.join("\n", fetched)).contains("Subject: split");
        }
    }

    @Test
    void badCommandsGetBadAndSessionContinues() {
        try (RawImap c = proxy.connect()) {
            c.greeting();
            assertThat(c.command("a", "FROBNICATE")).last().asString().startsWith("a BAD");
            c.send("\r\n");
            assertThat(c.readLine()).startsWith("* BAD");
            c.send("b LOGIN (unbalanced\r\n");
            assertThat(c.readLine()).startsWith("b BAD");
            assertThat(c.command("c", "SELECT INBOX")).last().asString().startsWith("c BAD");
            assertThat(c.ok("d", "LOGIN alice secret")).startsWith("d OK");
            assertThat(c.command("e", "FETCH 1 (FLAGS)")).last().asString().startsWith("e BAD");
            assertThat(c.ok("f", "NOOP")).startsWith("f OK");
        }
    }

    @Test
    void oversizedLiteralIsRejectedWithoutBeingSent() {
        try (RawImap c = proxy.connect()) {
            c.login("alice", "secret");
            c.send("a APPEND INBOX {999999999999}\r\n");
            String answer = c.readLine();
            assertThat(answer).startsWith("a ").containsAnyOf("BAD", "NO");
            assertThat(c.ok("b", "NOOP")).startsWith("b OK");
        }
    }

    @Test
    void startTlsUpgradesAndRefreshesCapabilities() {
        try (RawImap c = proxy.connect()) {
            c.greeting();
            c.send("a STARTTLS\r\n");
            assertThat(c.readLine()).startsWith("a OK");
            c.startTls();
            List<String> caps = c.command("b", "CAPABILITY");
            assertThat(caps.get(0)).doesNotContain("STARTTLS");
            assertThat(c.ok("c", "LOGIN alice secret")).startsWith("c OK");
        }
    }

    @Test
    void commandPipelinedAfterStartTlsIsNeverExecuted() {
        // RFC 9051 6.2.1 / CVE-2011-0411 class: plaintext injected after STARTTLS must not run as a command.
        try (RawImap c = proxy.connect()) {
            c.greeting();
            c.send("a STARTTLS\r\nx LOGIN alice secret\r\n");
            assertThat(c.readLine()).startsWith("a OK");
            c.setTimeout(2000);
            String next;
            try {
                next = c.readLine();
            } catch (RuntimeException timeoutOrReset) {
                next = null;
            }
            assertThat(next)
                    .as("nothing may answer the injected command in plaintext")
                    .isNull();
        }
    }

    @Test
    void implicitTlsListener() {
        try (RawImap c = RawImap.connectTls(proxy.host(), proxy.tlsPort())) {
            assertThat(c.greeting()).startsWith("* OK").doesNotContain("STARTTLS");
            assertThat(c.ok("a", "LOGIN alice secret")).startsWith("a OK");
        }
    }

    @Test
    void loginDisabledUntilStartTlsWhenTheOperatorRequiresIt() {
        try (ProxyFixture strict = ProxyFixture.start(
                        "127.0.0.1", backend.port(), "memory", l -> l.set("tls.loginRequiresTls", "true"));
                RawImap c = strict.connect()) {
            String greeting = c.greeting();
            assertThat(greeting).contains("LOGINDISABLED", "STARTTLS").doesNotContain("AUTH=PLAIN");
            assertThat(c.command("a", "LOGIN alice secret")).last().asString().startsWith("a NO [PRIVACYREQUIRED]");
            c.send("b STARTTLS\r\n");
            assertThat(c.readLine()).startsWith("b OK");
            c.startTls();
            assertThat(c.command("c", "CAPABILITY").get(0))
                    .contains("AUTH=PLAIN")
                    .doesNotContain("LOGINDISABLED");
            assertThat(c.ok("d", "LOGIN alice secret")).startsWith("d OK");
        }
    }

    @Test
    void idBeforeLoginIsAnsweredByTheProxy() {
        try (RawImap c = proxy.connect()) {
            c.greeting();
            List<String> id = c.command("a", "ID (\"name\" \"iOS\" \"version\" \"18.1\")");
            assertThat(id.get(0)).startsWith("* ID (").contains("modseq-proxy");
            assertThat(id.get(1)).startsWith("a OK");
            assertThat(c.command("b", "ID (\"odd\")")).last().asString().startsWith("b BAD");
            assertThat(c.ok("c", "LOGIN alice secret")).startsWith("c OK");
        }
    }

    @Test
    void idleRelaysDoneAndCompletion() {
        try (RawImap c = proxy.connect()) {
            c.login("alice", "secret");
            c.ok("a", "SELECT INBOX");
            c.send("b IDLE\r\n");
            assertThat(c.readLine()).startsWith("+");
            c.send("DONE\r\n");
            assertThat(c.readUntilTagged("b")).last().asString().startsWith("b OK");
            assertThat(c.ok("c", "NOOP")).startsWith("c OK");
        }
    }

    @Test
    void logoutClosesBothSides() {
        try (RawImap c = proxy.connect()) {
            c.login("alice", "secret");
            List<String> bye = c.command("z", "LOGOUT");
            assertThat(bye.get(0)).startsWith("* BYE");
            assertThat(bye.get(1)).startsWith("z OK");
            assertThat(c.closedByServer()).isTrue();
        }
    }
}

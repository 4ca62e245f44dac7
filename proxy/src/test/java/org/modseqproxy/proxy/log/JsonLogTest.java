package org.modseqproxy.proxy.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** log.format: json writes one object per line with the session's fields; text keeps them after the message. */
class JsonLogTest {
    private final PrintStream realErr = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @AfterEach
    void restore() throws Exception {
        System.setErr(realErr);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig(); // back to logback.xml for the other tests
    }

    private String logOneSessionLine(boolean json) throws Exception {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig(); // the console appender binds the redirected stream
        LogSetup.use(json);
        SessionLog log = new SessionLog("k3x9", "/127.0.0.1:50123");
        log.user("alice");
        log.info("selected {}", "INBOX");
        System.err.flush();
        return captured.toString(StandardCharsets.UTF_8).trim();
    }

    @Test
    void jsonLinesCarryTheSessionAsFields() throws Exception {
        String out = logOneSessionLine(true);
        JsonObject line = new JsonObject(out.lines().reduce((a, b) -> b).orElseThrow());
        assertThat(line.getString("message")).isEqualTo("selected INBOX");
        assertThat(line.getString("level")).isEqualTo("INFO");
        assertThat(line.getString("session")).isEqualTo("k3x9");
        assertThat(line.getString("client")).isEqualTo("/127.0.0.1:50123");
        assertThat(line.getString("user")).isEqualTo("alice");
    }

    @Test
    void textLinesCarryTheSessionAfterTheMessage() throws Exception {
        String out = logOneSessionLine(false);
        assertThat(out).contains("selected INBOX").contains("session=\"k3x9\"").contains("user=\"alice\"");
    }
}

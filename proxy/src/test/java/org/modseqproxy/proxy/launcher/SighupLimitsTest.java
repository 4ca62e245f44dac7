package org.modseqproxy.proxy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyJarProcess;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * Issue 12: SIGHUP to the launched proxy applies a changed limits.* of its config file without a restart; open
 * sessions stay, new connections see the new limit; a broken file changes nothing.
 */
class SighupLimitsTest {
    @TempDir
    Path dir;

    @Test
    void aChangedLimitAppliesToNewConnections() throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "limits:\n  maxConnectionsPerIp: 0\n");
        try (GreenMailBackend backend = GreenMailBackend.withNoDelay()) {
            backend.userWithMessages("alice", "pw", 1);
            try (ProxyJarProcess p =
                            ProxyJarProcess.start(List.of("--config", config.toString()), backend.port(), "memory");
                    RawImap open = p.connect().login("alice", "pw")) {
                try (RawImap second = p.connect()) {
                    assertThat(second.greeting()).startsWith("* OK");
                }
                Files.writeString(config, "limits:\n  maxConnectionsPerIp: [broken\n");
                p.hangUp();
                Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> p.log().contains("configuration not reloaded"));
                Files.writeString(config, "limits:\n  maxConnectionsPerIp: 1\n");
                p.hangUp();
                Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    try (RawImap another = p.connect()) {
                        assertThat(another.readLine()).isEqualTo("* BYE Too many connections");
                    }
                });
                assertThat(open.ok("n", "NOOP")).startsWith("n OK"); // the open session is untouched
                assertThat(p.log()).contains("limits reloaded");
            }
        }
    }
}

package org.modseqproxy.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void fileThenEnvironmentThenFlagsLastWins() throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, """
        backend:
          address: 10.0.0.1:143
          connectTimeout: 7s
        state:
          store: redis://127.0.0.1:6379
          offMailboxes: [Junk, "Archive/*"]
        limits:
          maxLiteralSize: 64MiB
        """);
    ProxyConfig c = new ConfigLoader()
        .file(file)
        .env(Map.of("MODSEQ_BACKEND_CONNECT_TIMEOUT", "9s", "MODSEQ_STATE_MODE", "exclusive", "UNRELATED", "x"))
        .set("backend.address=10.0.0.2:993")
        .build();
    assertThat(c.backend().address()).isEqualTo(new HostPort("10.0.0.2", 993));
    assertThat(c.backend().connectTimeout()).isEqualTo(Duration.ofSeconds(9));
    assertThat(c.state().mode()).isEqualTo(ProxyConfig.Consistency.EXCLUSIVE);
    assertThat(c.state().store()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(c.state().offMailboxes()).containsExactly("Junk", "Archive/*");
    assertThat(c.limits().maxLiteralSize()).isEqualTo(64L * 1024 * 1024);
    assertThat(c.limits().idleTimeout()).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void environmentNamesFollowTheKeys() {
    assertThat(ConfigLoader.envName("backend.connectTimeout")).isEqualTo("MODSEQ_BACKEND_CONNECT_TIMEOUT");
    assertThat(ConfigLoader.envName("state.expungeLogMaxEntries")).isEqualTo("MODSEQ_STATE_EXPUNGE_LOG_MAX_ENTRIES");
    assertThat(ConfigLoader.envName("listen.plain")).isEqualTo("MODSEQ_LISTEN_PLAIN");
  }

  @Test
  void mistakesFailFastNamingTheKey() throws Exception {
    assertThatThrownBy(() -> new ConfigLoader().set("backend.adress", "x")).hasMessageContaining("unknown configuration key 'backend.adress'");
    assertThatThrownBy(() -> new ConfigLoader().build()).hasMessageContaining("backend.address is required");
    assertThatThrownBy(() -> new ConfigLoader().set("backend.address", "h:1").set("backend.connectTimeout", "soon").build())
        .hasMessageContaining("backend.connectTimeout").hasMessageContaining("not a duration");
    assertThatThrownBy(() -> new ConfigLoader().set("backend.address", "nohostport").build()).hasMessageContaining("host:port");
    assertThatThrownBy(() -> new ConfigLoader().set("backend.address", "h:1").set("state.mode", "sometimes").build())
        .hasMessageContaining("state.mode").hasMessageContaining("[shared, exclusive]");
    assertThatThrownBy(() -> new ConfigLoader().set("backend.address", "h:1").set("listen.tls", "127.0.0.1:993").set("tls.cert", "/nope.pem").build())
        .hasMessageContaining("tls");
    assertThatThrownBy(() -> new ConfigLoader().set("backend.address", "h:1").set("limits.maxLineLength", "100").build())
        .hasMessageContaining("RFC 2683");
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "backend: [unclosed\n");
    assertThatThrownBy(() -> new ConfigLoader().file(bad)).hasMessageContaining("not valid YAML");
    Path typo = dir.resolve("typo.yaml");
    Files.writeString(typo, "backend:\n  adress: x:1\n");
    assertThatThrownBy(() -> new ConfigLoader().file(typo)).hasMessageContaining("backend.adress");
  }

  @Test
  void everyKeyOfTheSampleFileIsKnown() throws Exception {
    Path sample = Path.of("..", "deploy", "config", "modseq-proxy.sample.yaml");
    ProxyConfig c = new ConfigLoader().file(sample).set("tls.cert", "").set("tls.key", "").set("listen.tls", "").build();
    assertThat(c.backend().address()).isNotNull();
  }
}

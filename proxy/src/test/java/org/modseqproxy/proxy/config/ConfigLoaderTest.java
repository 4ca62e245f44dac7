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
    @TempDir
    Path dir;

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
        assertThat(ConfigLoader.envName("state.expungeLogMaxEntries"))
                .isEqualTo("MODSEQ_STATE_EXPUNGE_LOG_MAX_ENTRIES");
        assertThat(ConfigLoader.envName("listen.plain")).isEqualTo("MODSEQ_LISTEN_PLAIN");
    }

    @Test
    void mistakesFailFastNamingTheKey() throws Exception {
        assertThatThrownBy(() -> new ConfigLoader().set("backend.adress", "x"))
                .hasMessage("unknown configuration key 'backend.adress': did you mean 'backend.address'?");
        assertThatThrownBy(() -> new ConfigLoader().build()).hasMessageContaining("backend.address is required");
        assertThatThrownBy(() -> new ConfigLoader()
                        .set("backend.address", "h:1")
                        .set("backend.connectTimeout", "soon")
                        .build())
                .hasMessageContaining("backend.connectTimeout")
                .hasMessageContaining("not a duration");
        assertThatThrownBy(() ->
                        new ConfigLoader().set("backend.address", "nohostport").build())
                .hasMessageContaining("host:port");
        assertThatThrownBy(() -> new ConfigLoader()
                        .set("backend.address", "h:1")
                        .set("state.mode", "sometimes")
                        .build())
                .hasMessageContaining("state.mode")
                .hasMessageContaining("[shared, exclusive]");
        assertThatThrownBy(() -> new ConfigLoader()
                        .set("backend.address", "h:1")
                        .set("listen.tls", "127.0.0.1:993")
                        .set("tls.cert", "/nope.pem")
                        .build())
                .hasMessageContaining("tls");
        assertThatThrownBy(() -> new ConfigLoader()
                        .set("backend.address", "h:1")
                        .set("limits.maxLineLength", "100")
                        .build())
                .hasMessageContaining("RFC 2683");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "backend: [unclosed\n");
        assertThatThrownBy(() -> new ConfigLoader().file(bad)).hasMessageContaining("not valid YAML");
        Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, "backend:\n  adress: x:1\n");
        assertThatThrownBy(() -> new ConfigLoader().file(typo)).hasMessageContaining("backend.adress");
    }

    @Test
    void proxyProtocolNeedsTrustedBalancers() throws Exception {
        Path file = dir.resolve("pp.yaml");
        Files.writeString(file, """
        listen:
          proxyProtocol: off
        backend:
          address: 10.0.0.1:143
        """);
        // YAML 1.1 reads a bare off as false; it still means off
        assertThat(new ConfigLoader()
                        .file(file)
                        .build()
                        .listen()
                        .proxyProtocol()
                        .required())
                .isFalse();
        ProxyConfig.ProxyProtocol on = new ConfigLoader()
                .set("backend.address", "h:1")
                .set("listen.proxyProtocol", "any")
                .set("listen.proxyProtocolTrusted", "10.0.0.0/8, 192.0.2.7, fd00::/8")
                .set("listen.proxyProtocolTimeout", "3s")
                .build()
                .listen()
                .proxyProtocol();
        assertThat(on.required()).isTrue();
        assertThat(on.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(on.trusted().contains(new java.net.InetSocketAddress("10.1.2.3", 1)))
                .isTrue();
        assertThat(on.trusted().contains(new java.net.InetSocketAddress("192.0.2.7", 1)))
                .isTrue();
        assertThat(on.trusted().contains(new java.net.InetSocketAddress("192.0.2.8", 1)))
                .isFalse();
        assertThat(on.trusted().contains(new java.net.InetSocketAddress("fd12::1", 1)))
                .isTrue();
        assertThatThrownBy(() -> new ConfigLoader()
                        .set("backend.address", "h:1")
                        .set("listen.proxyProtocol", "any")
                        .build())
                .hasMessageContaining("listen.proxyProtocolTrusted is empty");
        assertThatThrownBy(() -> new ConfigLoader()
                        .set("backend.address", "h:1")
                        .set("listen.proxyProtocol", "any")
                        .set("listen.proxyProtocolTrusted", "10.0.0.0/33")
                        .build())
                .hasMessageContaining("'10.0.0.0/33' is not an address or a CIDR block");
        assertThatThrownBy(() -> new ConfigLoader()
                        .set("backend.address", "h:1")
                        .set("listen.proxyProtocol", "v3")
                        .build())
                .hasMessageContaining("[off, any]");
    }

    @Test
    void sniCertificatesLoadFromYamlMapsOrPairs() throws Exception {
        Path c1 = Files.writeString(dir.resolve("a.pem"), "x");
        Path k1 = Files.writeString(dir.resolve("a.key"), "x");
        Path c2 = Files.writeString(dir.resolve("b.pem"), "x");
        Path k2 = Files.writeString(dir.resolve("b.key"), "x");
        Path file = dir.resolve("sni.yaml");
        Files.writeString(file, """
        tls:
          cert: %s
          key: %s
          certificates:
            - {cert: %s, key: %s}
          reloadCheckInterval: 0s
        backend:
          address: 10.0.0.1:143
        """.formatted(c1, k1, c2, k2));
        ProxyConfig.Tls tls = new ConfigLoader().file(file).build().tls();
        assertThat(tls.pairs())
                .containsExactly(
                        new ProxyConfig.CertKey(c1.toString(), k1.toString()),
                        new ProxyConfig.CertKey(c2.toString(), k2.toString()));
        assertThat(tls.reloadCheckInterval()).isZero();
        ProxyConfig.Tls fromFlag = new ConfigLoader()
                .file(file)
                .set("tls.certificates", c2 + ":" + k2 + "," + c1 + ":" + k1)
                .build()
                .tls();
        assertThat(fromFlag.more()).hasSize(2);
        assertThatThrownBy(() -> new ConfigLoader()
                        .file(file)
                        .set("tls.certificates", c2.toString())
                        .build())
                .hasMessageContaining("each entry needs a cert and a key");
        assertThatThrownBy(() -> new ConfigLoader()
                        .set("backend.address", "h:1")
                        .set("tls.certificates", c2 + ":" + k2)
                        .build())
                .hasMessageContaining("needs tls.cert and tls.key");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theKubernetesConfigMapLoads() throws Exception {
        Map<String, Object> cm;
        try (var r = Files.newBufferedReader(Path.of("..", "deploy", "k8s", "configmap.yaml"))) {
            cm = new org.yaml.snakeyaml.Yaml().load(r);
        }
        Map<String, String> data = (Map<String, String>) cm.get("data");
        Path config = Files.writeString(dir.resolve("config.yaml"), data.get("config.yaml"));
        Path routes = Files.writeString(dir.resolve("routes"), data.get("routes"));
        ProxyConfig c = new ConfigLoader()
                .file(config)
                .set("tls.cert", "")
                .set("tls.key", "")
                .set("listen.tls", "")
                .set("routing.file", routes.toString())
                .build();
        assertThat(c.routing().mode()).isEqualTo(ProxyConfig.RoutingMode.FILE);
        assertThat(c.routing().defaultBackend()).isEqualTo(c.backend().id());
    }

    @Test
    void everyKeyOfTheSampleFileIsKnown() throws Exception {
        Path sample = Path.of("..", "deploy", "config", "modseq-proxy.sample.yaml");
        ProxyConfig c = new ConfigLoader()
                .file(sample)
                .set("tls.cert", "")
                .set("tls.key", "")
                .set("listen.tls", "")
                .build();
        assertThat(c.backend().address()).isNotNull();
    }

    @Test
    void redisLoginAndTlsKeysLoadFromFileEnvironmentAndFlags() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        Path cert = Files.writeString(dir.resolve("client.pem"), "-----BEGIN CERTIFICATE-----\n");
        Path key = Files.writeString(dir.resolve("client.key"), "-----BEGIN PRIVATE KEY-----\n");
        Path secret = Files.writeString(dir.resolve("redis-password"), "from-a-file\n");
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, """
        backend:
          address: 10.0.0.1:143
        state:
          store: rediss://redis.internal:6380?verifyPeer=CA
          username: modseq
          passwordFile: %s
          tls:
            caFile: %s
            certFile: %s
            keyFile: %s
        """.formatted(secret, ca, cert, key));
        ProxyConfig.State s = new ConfigLoader().file(file).build().state();
        assertThat(s.redisLogin().username()).isEqualTo("modseq");
        assertThat(s.redisLogin().password()).isEqualTo("from-a-file"); // the file's trailing newline is not part of it
        assertThat(s.redisTls()).isEqualTo(new org.modseqproxy.state.StoreOptions.Tls(ca, cert, key));
        assertThat(s.storeOptions().credentials()).isEqualTo(s.redisLogin());
        assertThat(s.storeOptions().tls()).isEqualTo(s.redisTls());
        assertThat(s.storeOptions().commandTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.toString()).contains("modseq").doesNotContain("from-a-file");

        // the password from the environment (MODSEQ_STATE_PASSWORD), the file key unset by a flag
        ProxyConfig.State e = new ConfigLoader()
                .file(file)
                .env(Map.of("MODSEQ_STATE_PASSWORD", "from-env", "MODSEQ_STATE_USERNAME", "other"))
                .set("state.passwordFile=")
                .build()
                .state();
        assertThat(e.redisLogin()).isEqualTo(new org.modseqproxy.state.StoreOptions.Credentials("other", "from-env"));

        // defaults: no login, JVM trust
        ProxyConfig.State d = new ConfigLoader()
                .set("backend.address", "h:1")
                .set("state.store", "redis://h:6379")
                .build()
                .state();
        assertThat(d.redisLogin().isNone()).isTrue();
        assertThat(d.redisTls().isDefault()).isTrue();
        // a requirepass-only login (no user)
        assertThat(new ConfigLoader()
                        .set("backend.address", "h:1")
                        .set("state.store", "redis://h:6379")
                        .set("state.password", "pw")
                        .build()
                        .state()
                        .redisLogin())
                .isEqualTo(new org.modseqproxy.state.StoreOptions.Credentials(null, "pw"));
    }

    @Test
    void redisLoginAndTlsMistakesFailNamingTheKey() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        java.util.function.Supplier<ConfigLoader> base =
                () -> new ConfigLoader().set("backend.address", "h:1").set("state.store", "rediss://h:6380");
        assertThatThrownBy(() -> base.get().set("state.tls.cafile", ca.toString()))
                .hasMessageContaining("unknown configuration key 'state.tls.cafile'")
                .hasMessageEndingWith("did you mean 'state.tls.caFile'?");
        Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, "state:\n  tls:\n    caFiel: /x.pem\n");
        assertThatThrownBy(() -> new ConfigLoader().file(typo)).hasMessageContaining("'state.tls.caFiel'");
        Path typo2 = dir.resolve("typo2.yaml");
        Files.writeString(typo2, "state:\n  pasword: x\n");
        assertThatThrownBy(() -> new ConfigLoader().file(typo2)).hasMessageContaining("'state.pasword'");
        assertThatThrownBy(() -> base.get()
                        .set("state.tls.caFile", dir.resolve("nope.pem").toString())
                        .build())
                .hasMessageContaining("state.tls.caFile: cannot read");
        assertThatThrownBy(() ->
                        base.get().set("state.tls.certFile", ca.toString()).build())
                .hasMessageContaining("state.tls.certFile and state.tls.keyFile go together");
        assertThatThrownBy(() -> base.get()
                        .set("state.store", "redis://h:6379")
                        .set("state.tls.caFile", ca.toString())
                        .build())
                .hasMessageContaining("state.tls.caFile")
                .hasMessageContaining("rediss://");
        assertThatThrownBy(() -> base.get().set("state.username", "u").build())
                .hasMessageContaining("state.username needs state.password");
        assertThatThrownBy(() -> base.get()
                        .set("state.password", "Secret-1")
                        .set("state.passwordFile", ca.toString())
                        .build())
                .hasMessageContaining("state.password and state.passwordFile")
                .hasMessageNotContaining("Secret-1");
        assertThatThrownBy(() -> base.get()
                        .set("state.passwordFile", dir.resolve("missing").toString())
                        .build())
                .hasMessageContaining("state.passwordFile: cannot read");
        assertThatThrownBy(() -> base.get()
                        .set("state.store", "memory")
                        .set("state.password", "Secret-1")
                        .build())
                .hasMessageContaining("state.password")
                .hasMessageContaining("not Redis")
                .hasMessageNotContaining("Secret-1");
        assertThatThrownBy(() -> base.get()
                        .set("state.store", "rediss://u:Secret-2@h:6380")
                        .set("state.password", "Secret-1")
                        .build())
                .hasMessageContaining("state.password")
                .hasMessageContaining("one place")
                .hasMessageNotContaining("Secret-1")
                .hasMessageNotContaining("Secret-2");
    }

    @Test
    void sentinelLoginIsItsOwnAndOnlyForSentinelUris() throws Exception {
        Path secret = Files.writeString(dir.resolve("sentinel-password"), "Sn-Secret\n");
        ProxyConfig.State s = new ConfigLoader()
                .set("backend.address", "h:1")
                .set("state.store", "rediss-sentinel://s1:26379,s2:26379#mymaster")
                .set("state.username", "modseq")
                .set("state.password", "Data-Secret")
                .set("state.sentinel.username", "watcher")
                .set("state.sentinel.passwordFile", secret.toString())
                .build()
                .state();
        assertThat(s.storeOptions().credentials())
                .isEqualTo(new org.modseqproxy.state.StoreOptions.Credentials("modseq", "Data-Secret"));
        assertThat(s.storeOptions().sentinelCredentials())
                .isEqualTo(new org.modseqproxy.state.StoreOptions.Credentials("watcher", "Sn-Secret"));
        assertThat(s.toString()).contains("watcher").doesNotContain("Sn-Secret").doesNotContain("Data-Secret");
        // from the environment, requirepass style (no user)
        ProxyConfig.State e = new ConfigLoader()
                .set("backend.address", "h:1")
                .set("state.store", "redis-sentinel://s1:26379#mymaster")
                .env(Map.of("MODSEQ_STATE_SENTINEL_PASSWORD", "from-env"))
                .build()
                .state();
        assertThat(e.sentinelLogin()).isEqualTo(new org.modseqproxy.state.StoreOptions.Credentials(null, "from-env"));
        assertThat(e.redisLogin().isNone()).isTrue();
        // a sentinel login for a store that has no sentinels is a mistake, said at start
        assertThatThrownBy(() -> new ConfigLoader()
                        .set("backend.address", "h:1")
                        .set("state.store", "rediss://h:6380")
                        .set("state.sentinel.password", "Sn-Secret")
                        .build())
                .hasMessageContaining("state.sentinel")
                .hasMessageContaining("not a Sentinel URI")
                .hasMessageNotContaining("Sn-Secret");
        assertThatThrownBy(() -> new ConfigLoader()
                        .set("backend.address", "h:1")
                        .set("state.store", "redis-sentinel://s1:26379#m")
                        .set("state.sentinel.username", "watcher")
                        .build())
                .hasMessageContaining("state.sentinel.username needs state.sentinel.password");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "backend.adress, backend.address",
        "listen.plian, listen.plain",
        "backend.connecttimeout, backend.connectTimeout",
        "limits.maxsession, limits.maxSessions",
    })
    void aTypoNamesTheClosestKey(String typo, String meant) {
        assertThatThrownBy(() -> new ConfigLoader().set(typo, "x"))
                .hasMessageEndingWith("did you mean '" + meant + "'?");
    }

    @Test
    void aKeyFarFromEveryKnownOneGetsNoGuess() {
        assertThatThrownBy(() -> new ConfigLoader().set("colour.scheme", "x"))
                .hasMessageNotContaining("did you mean")
                .hasMessageContaining("modseq-proxy.sample.yaml");
    }
}

package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * Issue 12: per-user routing over two real stores at once (two GreenMail servers; the interop suite does it with
 * Dovecot and Courier). The same user name on both stores shows which one answered; the map file is read again when
 * it changes; a user routed nowhere hears what a wrong password gets.
 */
class RoutingTest {
    @TempDir
    Path dir;

    GreenMailBackend first;
    GreenMailBackend second;
    ProxyFixture proxy;
    Path map;

    @BeforeEach
    void start() throws Exception {
        first = GreenMailBackend.withNoDelay();
        second = GreenMailBackend.withNoDelay();
        first.userWithMessages("alice", "pw", 1);
        first.userWithMessages("dave", "pw", 1);
        second.userWithMessages("bob", "pw", 2);
        second.userWithMessages("dave", "pw", 3);
        second.userWithMessages("carol", "pw", 4);
        map = dir.resolve("routes");
        Files.writeString(map, "# user backend\nalice b1\nbob second\ndave second\n");
        proxy = ProxyFixture.start(
                "127.0.0.1",
                first.port(),
                "memory",
                c -> c.set("backends", List.of(Map.of("name", "second", "address", "127.0.0.1:" + second.port())))
                        .set("routing.mode", "file")
                        .set("routing.file", map.toString())
                        .set("routing.reloadCheckInterval", "100ms"));
    }

    @AfterEach
    void stop() {
        proxy.close();
        first.close();
        second.close();
    }

    private String exists(String user) {
        try (RawImap c = proxy.connect().login(user, "pw")) {
            return c.command("s", "SELECT INBOX (CONDSTORE)").stream()
                    .filter(l -> l.endsWith(" EXISTS"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    @Test
    void eachUserReachesTheStoreTheMapNames() throws Exception {
        assertThat(exists("alice")).isEqualTo("* 1 EXISTS");
        assertThat(exists("bob")).isEqualTo("* 2 EXISTS");
        assertThat(exists("dave")).isEqualTo("* 3 EXISTS"); // dave of the second store
        try (RawImap c = proxy.connect().login("bob", "pw")) {
            assertThat(proxy.proxy().sessions())
                    .singleElement()
                    .satisfies(v -> assertThat(v.backend()).isEqualTo("second"));
            assertThat(c.ok("n", "NOOP")).startsWith("n OK");
        }
    }

    @Test
    void aUserRoutedNowhereIsRefusedLikeAWrongPasswordUntilTheMapNamesHim() throws Exception {
        try (RawImap c = proxy.connect()) {
            c.greeting();
            List<String> refused = c.command("l", "LOGIN carol pw");
            assertThat(refused).containsExactly("l NO [AUTHENTICATIONFAILED] Authentication failed.");
        }
        Files.writeString(map, "alice b1\nbob second\ndave b1\ncarol second\n");
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(exists("dave")).isEqualTo("* 1 EXISTS"));
        assertThat(exists("carol")).isEqualTo("* 4 EXISTS");
        // a map naming a store that does not exist is refused; the previous one stays
        Files.writeString(map, "alice nowhere\n");
        assertThat(proxy.proxy()
                        .reloadRouting()
                        .otherwise(false)
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get())
                .isFalse();
        assertThat(exists("alice")).isEqualTo("* 1 EXISTS");
        assertThat(exists("carol")).isEqualTo("* 4 EXISTS");
    }

    @Test
    void aRedisHashRoutesCachedForItsTtl() throws Exception {
        try (org.modseqproxy.state.testing.RedisServerFixture redis =
                        org.modseqproxy.state.testing.RedisServerFixture.start();
                ProxyFixture viaRedis = ProxyFixture.start(
                        "127.0.0.1",
                        first.port(),
                        "memory",
                        c -> c.set(
                                        "backends",
                                        List.of(Map.of("name", "second", "address", "127.0.0.1:" + second.port())))
                                .set("routing.mode", "redis")
                                .set("routing.redis", redis.uri())
                                .set("routing.default", "b1")
                                .set("routing.cacheTtl", "200ms"))) {
            io.lettuce.core.RedisClient lettuce = io.lettuce.core.RedisClient.create(redis.uri());
            try (var conn = lettuce.connect()) {
                conn.sync().hset("modseq:routes", "dave", "second");
                assertThat(existsVia(viaRedis, "dave")).isEqualTo("* 3 EXISTS");
                assertThat(existsVia(viaRedis, "alice")).isEqualTo("* 1 EXISTS"); // not in the hash: the default
                conn.sync().hset("modseq:routes", "dave", "b1");
                Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .untilAsserted(
                                () -> assertThat(existsVia(viaRedis, "dave")).isEqualTo("* 1 EXISTS"));
                conn.sync().hset("modseq:routes", "alice", "no-such-store"); // not a backend: the default too
                assertThat(existsVia(viaRedis, "alice")).isEqualTo("* 1 EXISTS");
            } finally {
                lettuce.shutdown();
            }
        }
    }

    private static String existsVia(ProxyFixture p, String user) {
        try (RawImap c = p.connect().login(user, "pw")) {
            return c.command("s", "SELECT INBOX").stream()
                    .filter(l -> l.endsWith(" EXISTS"))
                    .findFirst()
                    .orElseThrow();
        }
    }
}

package org.modseqproxy.proxy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modseqproxy.metrics.HealthServer;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * Issue 13: the admin endpoint and the per-user protocol trace, through real sockets: an HTTP client on the metrics
 * listener, IMAP clients through the proxy in front of GreenMail, and the trace files on disk.
 */
class AdminEndpointTest {
    static final String TOKEN = "s3cret-admin-token-0123";

    @TempDir
    Path traceDir;

    GreenMailBackend backend;
    ProxyFixture proxy;
    Vertx vertx;
    HealthServer health;
    int port;
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    @BeforeEach
    void start() throws Exception {
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("alice", "alicepw", 2);
        backend.userWithMessages("bob", "bobpw", 1);
        proxy = ProxyFixture.start(
                "127.0.0.1",
                backend.port(),
                "memory",
                c -> c.set("trace.dir", traceDir.toString()).set("trace.maskLiteralsAbove", "64"));
        vertx = Vertx.vertx();
        health = new HealthServer(vertx, proxy.metrics()).admin(TOKEN, new AdminEndpoint(proxy.proxy(), proxy.store()));
        port = health.listen("127.0.0.1", 0)
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        health.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        proxy.close();
        backend.close();
    }

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonObject ok(String method, String path) throws Exception {
        HttpResponse<String> r = call(method, path, TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    @Test
    void withoutTheTokenNothingIsAnswered() throws Exception {
        assertThat(call("GET", "/admin/sessions", null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/admin/sessions", "wrong-token-wrong-token").statusCode())
                .isEqualTo(401);
        assertThat(call("POST", "/admin/disconnect?user=alice", "x").statusCode())
                .isEqualTo(401);
        assertThat(ok("GET", "/admin/store").getString("circuit")).isEqualTo("closed");
        assertThat(call("GET", "/admin/disconnect?user=alice", TOKEN).statusCode())
                .isEqualTo(405);
        assertThat(call("POST", "/admin/disconnect", TOKEN).statusCode()).isEqualTo(400);
    }

    @Test
    void listsSessionsSwitchesATraceAtRuntimeAndDisconnectsAUser() throws Exception {
        try (RawImap a = proxy.connect().login("alice", "alicepw");
                RawImap b = proxy.connect().login("bob", "bobpw")) {
            a.ok("s", "SELECT INBOX");
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(
                                    ok("GET", "/admin/sessions?user=alice").getJsonArray("sessions"))
                            .singleElement()
                            .satisfies(o -> {
                                JsonObject s = (JsonObject) o;
                                assertThat(s.getString("mailbox")).isEqualTo("INBOX");
                                assertThat(s.getString("client")).contains("127.0.0.1");
                                assertThat(s.getBoolean("traced")).isFalse();
                            }));
            assertThat(ok("GET", "/admin/sessions").getInteger("count")).isEqualTo(2);

            assertThat(ok("POST", "/admin/trace?user=alice&on=true").getInteger("openSessions"))
                    .isEqualTo(1);
            awaitAliceTraced();
            List<String> fetched = a.command("f", "FETCH 1 (BODY[])"); // a message body above 64 octets
            assertThat(fetched).last().asString().startsWith("f OK");
            a.ok("n", "NOOP");
            // a second session of alice is traced from its login on (the user is in the set now)
            try (RawImap a2 = proxy.connect().login("alice", "alicepw")) {
                a2.ok("c", "CAPABILITY");
                assertThat(ok("POST", "/admin/disconnect?user=alice").getInteger("disconnected"))
                        .isEqualTo(2);
                assertThat(a2.closedByServer()).isTrue();
            }
            assertThat(a.closedByServer()).isTrue();
            assertThat(b.ok("n", "NOOP")).startsWith("n OK"); // bob is untouched, and untraced
        }
        Path dir = traceDir.resolve("alice");
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> files = traces(dir);
            assertThat(files).hasSize(2);
            assertThat(files).allMatch(t -> t.contains("# trace ended: disconnected"));
        });
        List<String> files = traces(dir);
        String first =
                files.stream().filter(t -> t.contains(" C: n NOOP")).findFirst().orElseThrow();
        assertThat(first)
                .contains(" C: f FETCH 1 (BODY[])")
                .contains(" octets not traced]")
                .contains(" S: n OK");
        assertThat(first).contains("S: * BYE Disconnected by the administrator");
        assertThat(files).anyMatch(t -> t.contains(" C: c CAPABILITY"));
        assertThat(String.join("\n", files)).doesNotContain("alicepw");
        assertThat(Files.exists(traceDir.resolve("bob"))).isFalse();
        assertThat(ok("GET", "/admin/trace").getJsonArray("users").getList()).containsExactly("alice");
    }

    @Test
    void aTraceSwitchedOnInsideALiteralStartsWithTheNextCommand() throws Exception {
        String body = "Subject: trace test\r\n\r\nfirst line of the body\r\nX-Inside: inside-the-literal\r\n";
        try (RawImap a = proxy.connect().login("alice", "alicepw")) {
            a.send("a APPEND INBOX {" + body.length() + "}\r\n");
            assertThat(a.readLine()).startsWith("+"); // the command line is read; its literal is still to come
            ok("POST", "/admin/trace?user=alice&on=true");
            awaitAliceTraced();
            a.send(body + "\r\n");
            assertThat(a.readUntilTagged("a")).last().asString().startsWith("a OK");
            a.ok("n", "NOOP");
            a.ok("z", "LOGOUT");
        }
        Path dir = traceDir.resolve("alice");
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(traces(dir)).singleElement().asString().contains("# trace ended"));
        String trace = traces(dir).get(0);
        // Started at once, the trace would read the literal's lines as client commands.
        assertThat(trace).doesNotContain("inside-the-literal").doesNotContain("first line of the body");
        assertThat(trace.lines().filter(l -> l.contains(" C: ")).findFirst())
                .hasValueSatisfying(l -> assertThat(l).endsWith(" C: n NOOP"));
    }

    /** Until the admin endpoint lists alice's (only) session as traced. */
    private void awaitAliceTraced() {
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> ok("GET", "/admin/sessions?user=alice")
                        .getJsonArray("sessions")
                        .getJsonObject(0)
                        .getBoolean("traced"));
    }

    private static List<String> traces(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted()
                    .map(p -> {
                        try {
                            return Files.readString(p);
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .toList();
        }
    }
}

package org.modseqproxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real HTTP requests (java.net.http, from the test thread, never from an event loop) against a
 * HealthServer bound to an ephemeral loopback port.
 */
@ExtendWith(VertxExtension.class)
class HealthServerTest {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private ProxyMetrics metrics;
    private HealthServer server;
    private int port;

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        metrics = new ProxyMetrics("p1");
        server = new HealthServer(vertx, metrics);
    }

    /** Tests register their checks first, then listen. */
    private void listen() throws Exception {
        port = await(server.listen("127.0.0.1", 0));
        assertThat(port).isPositive();
    }

    @AfterEach
    void stop() throws Exception {
        await(server.close());
        metrics.close();
    }

    @Test
    void metricsEndpointServesTheScrapeWithPrometheusContentType() throws Exception {
        listen();
        metrics.sessionOpened();
        metrics.loginResult("b1", true);
        metrics.commandCompleted("UID FETCH", "OK", 4_000_000);
        metrics.bytes(MeterNames.DIRECTION_CLIENT_OUT, 4096);

        HttpResponse<String> r = get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body().split("\n"))
                .contains(
                        "modseq_sessions_active{instance_id=\"p1\"} 1.0",
                        "modseq_sessions_total{instance_id=\"p1\"} 1.0",
                        "modseq_logins_total{backend=\"b1\",instance_id=\"p1\",result=\"success\"} 1.0",
                        "modseq_command_duration_seconds_count{command=\"UID FETCH\",instance_id=\"p1\",status=\"OK\"} 1",
                        "modseq_command_duration_seconds_sum{command=\"UID FETCH\",instance_id=\"p1\",status=\"OK\"} 0.004",
                        "modseq_bytes_total{direction=\"client_out\",instance_id=\"p1\"} 4096.0");

        // A second scrape sees later changes (nothing is cached between scrapes).
        metrics.sessionClosed();
        assertThat(get("/metrics").body().split("\n")).contains("modseq_sessions_active{instance_id=\"p1\"} 0.0");
    }

    @Test
    void healthIsUpAsJson() throws Exception {
        listen();
        HttpResponse<String> r = get("/health");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains("application/json");
        assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("status", "UP"));
    }

    @Test
    void readinessFlipsTo503WhenACheckFailsAndBack() throws Exception {
        AtomicBoolean backendReachable = new AtomicBoolean(true);
        server.readinessCheck("listeners", () -> true).readinessCheck("backend", backendReachable::get);
        listen();

        HttpResponse<String> ok = get("/ready");
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonObject okBody = new JsonObject(ok.body());
        assertThat(okBody.getString("status")).isEqualTo("UP");
        assertThat(okBody.getJsonObject("checks").getMap()).isEqualTo(Map.of("listeners", "UP", "backend", "UP"));
        assertThat(okBody.getJsonArray("failed").getList()).isEmpty();

        backendReachable.set(false);
        HttpResponse<String> down = get("/ready");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.headers().firstValue("content-type")).contains("application/json");
        JsonObject downBody = new JsonObject(down.body());
        assertThat(downBody.getString("status")).isEqualTo("DOWN");
        assertThat(downBody.getJsonObject("checks").getMap()).isEqualTo(Map.of("listeners", "UP", "backend", "DOWN"));
        assertThat(downBody.getJsonArray("failed").getList()).containsExactly("backend");

        backendReachable.set(true);
        assertThat(get("/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void aThrowingCheckCountsAsFailed() throws Exception {
        server.readinessCheck("config", () -> {
            throw new IllegalStateException("not loaded");
        });
        listen();

        HttpResponse<String> r = get("/ready");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(r.body()).getJsonArray("failed").getList()).containsExactly("config");
    }

    @Test
    void storeDownIsReportedButDoesNotFailReadiness() throws Exception {
        AtomicBoolean storeUp = new AtomicBoolean(true);
        metrics.setStoreAvailable(storeUp::get);
        server.readinessCheck("listeners", () -> true).info("storeCircuit", () -> storeUp.get() ? "CLOSED" : "OPEN");
        listen();

        JsonObject up = new JsonObject(get("/ready").body());
        assertThat(up.getString("store")).isEqualTo("UP");
        assertThat(up.getJsonObject("info").getString("storeCircuit")).isEqualTo("CLOSED");

        storeUp.set(false);
        HttpResponse<String> r = get("/ready");
        // RFC 7162 3.1.2.2: without the store the proxy still serves, answering NOMODSEQ.
        assertThat(r.statusCode()).isEqualTo(200);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getString("status")).isEqualTo("UP");
        assertThat(body.getString("store")).isEqualTo("DOWN");
        assertThat(body.getJsonObject("info").getString("storeCircuit")).isEqualTo("OPEN");
        assertThat(get("/metrics").body()).contains("modseq_store_available{instance_id=\"p1\"} 0.0");
    }

    @Test
    void infoValuesAreEncodedAsJson() throws Exception {
        server.info("sessions", () -> 42)
                .info("backends", () -> java.util.List.of("b1", "b2"))
                .info("mode", () -> TimeUnit.SECONDS)
                .info("broken", () -> {
                    throw new IllegalStateException("boom");
                });
        listen();

        JsonObject info = new JsonObject(get("/ready").body()).getJsonObject("info");
        assertThat(info.getInteger("sessions")).isEqualTo(42);
        assertThat(info.getJsonArray("backends").getList()).containsExactly("b1", "b2");
        assertThat(info.getString("mode")).isEqualTo("SECONDS");
        assertThat(info.getString("broken")).isEqualTo("error: java.lang.IllegalStateException: boom");
    }

    @Test
    void drainingFailsReadinessButNotLiveness() throws Exception {
        server.readinessCheck("listeners", () -> true);
        listen();
        server.startDraining();

        HttpResponse<String> r = get("/ready");
        assertThat(r.statusCode()).isEqualTo(503);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getBoolean("draining")).isTrue();
        assertThat(body.getJsonArray("failed").getList()).containsExactly("draining");
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() throws Exception {
        listen();
        for (String path : new String[] {"/", "/metricsx", "/metrics/", "/admin", "/ready/extra"}) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("not found");
        }
        // The query string is not part of the path.
        assertThat(get("/health?verbose=1").statusCode()).isEqualTo(200);

        HttpResponse<String> post = send(HttpRequest.newBuilder(uri("/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).contains("GET, HEAD");
    }

    @Test
    void headAnswersWithoutBody() throws Exception {
        listen();
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/health"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void checksRunOnTheEventLoop() throws Exception {
        AtomicBoolean onEventLoop = new AtomicBoolean();
        server.readinessCheck("probe", () -> {
            onEventLoop.set(Context.isOnEventLoopThread());
            return true;
        });
        listen();
        assertThat(get("/ready").statusCode()).isEqualTo(200);
        assertThat(onEventLoop).isTrue(); // hence the contract: checks must not block
    }

    @Test
    void closeReleasesThePort() throws Exception {
        listen();
        assertThat(get("/health").statusCode()).isEqualTo(200);
        await(server.close());
        assertThatThrownBy(() -> get("/health")).isInstanceOf(IOException.class);
        // And the server may listen again.
        listen();
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void duplicateCheckNamesAreRejected() {
        server.readinessCheck("a", () -> true);
        assertThatThrownBy(() -> server.readinessCheck("a", () -> true)).isInstanceOf(IllegalArgumentException.class);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}

package org.modseqproxy.metrics;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The operator's HTTP side: {@code GET /metrics} (Prometheus scrape), {@code GET /health} (liveness)
 * and {@code GET /ready} (readiness), on a plain Vert.x {@link HttpServer}; anything else is 404.
 *
 * <p>Everything runs on the server's event loop, so readiness checks, info suppliers and the
 * store-availability source must answer from memory (a flag, a circuit-breaker state), never by doing
 * I/O. The scrape itself is CPU only: about 2.5 ms (400 KB) with every command x status
 * series populated, measured on the 2-core dev machine.
 *
 * <p>Readiness: 200 when every registered check passes, else 503 listing the failed ones. The
 * mod-sequence store's availability is reported but never fails readiness: without it the proxy still
 * serves, answering NOMODSEQ (RFC 7162 3.1.2.2), and taking every instance out of a load balancer
 * because Redis is down would turn a degraded service into an outage.
 */
public final class HealthServer {

    private static final String JSON = "application/json";

    private final Vertx vertx;
    private final ProxyMetrics metrics;
    private final List<Named<BooleanSupplier>> checks = new CopyOnWriteArrayList<>();
    private final List<Named<Supplier<Object>>> infos = new CopyOnWriteArrayList<>();
    private volatile boolean draining;
    private volatile byte[] adminToken;
    private volatile Handler<HttpServerRequest> admin;
    private volatile HttpServer server;

    private record Named<T>(String name, T value) {}

    public HealthServer(Vertx vertx, ProxyMetrics metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
    }

    /** Adds a check that must be true for /ready to answer 200 (e.g. "listeners bound"). */
    public HealthServer readinessCheck(String name, BooleanSupplier check) {
        requireUnique(name, checks);
        checks.add(new Named<>(name, check));
        return this;
    }

    /**
     * Adds a field to the "info" object of /ready (e.g. the store's circuit state). The value is
     * JSON-encoded if it is a String, Number, Boolean, Map, List, JsonObject or JsonArray, else its
     * {@code toString()}; a supplier that throws shows as "error: ...".
     */
    public HealthServer info(String name, Supplier<Object> value) {
        requireUnique(name, infos);
        infos.add(new Named<>(name, value));
        return this;
    }

    /**
     * Serves {@code /admin/*} with {@code handler}, for requests that carry {@code Authorization: Bearer <token>};
     * others get 401. Without this call, /admin/* is 404 like any unknown path: an endpoint that can disconnect users
     * exists only when an operator gave it a secret.
     */
    public HealthServer admin(String token, Handler<HttpServerRequest> handler) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the admin endpoint needs a token");
        }
        this.adminToken = token.getBytes(StandardCharsets.UTF_8);
        this.admin = handler;
        return this;
    }

    /**
     * Makes /ready answer 503 from now on, so that load balancers and Kubernetes stop sending new
     * clients while existing sessions finish (graceful shutdown). /health stays 200.
     */
    public HealthServer startDraining() {
        draining = true;
        return this;
    }

    /** Starts listening; port 0 picks a free port. Completes with the port actually bound. */
    public Future<Integer> listen(String host, int port) {
        if (server != null) {
            return Future.failedFuture(new IllegalStateException("already listening"));
        }
        HttpServer s =
                vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port));
        server = s;
        return s.requestHandler(this::handle)
                .listen()
                .onFailure(e -> server = null) // a failed bind may be retried, e.g. on another port
                .map(HttpServer::actualPort);
    }

    public Future<Void> close() {
        HttpServer s = server;
        server = null;
        return s == null ? Future.succeededFuture() : s.close();
    }

    // ---- request handling ----------------------------------------------------------------------------

    private void handle(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        response.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        String path = request.path();
        if (path.startsWith("/admin/") && admin != null) {
            handleAdmin(request, response);
            return;
        }
        boolean known = "/metrics".equals(path) || "/health".equals(path) || "/ready".equals(path);
        if (!known) {
            sendJson(response, 404, new JsonObject().put("error", "not found").put("path", path));
            return;
        }
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            response.putHeader(HttpHeaders.ALLOW, "GET, HEAD");
            sendJson(response, 405, new JsonObject().put("error", "method not allowed"));
            return;
        }
        switch (path) {
            case "/metrics" ->
                response.setStatusCode(200)
                        .putHeader(HttpHeaders.CONTENT_TYPE, ProxyMetrics.SCRAPE_CONTENT_TYPE)
                        .end(metrics.scrape());
            case "/health" -> sendJson(response, 200, new JsonObject().put("status", "UP"));
            default -> sendReady(response);
        }
    }

    private void handleAdmin(HttpServerRequest request, HttpServerResponse response) {
        String auth = request.getHeader(HttpHeaders.AUTHORIZATION);
        byte[] given = auth != null && auth.startsWith("Bearer ")
                ? auth.substring(7).trim().getBytes(StandardCharsets.UTF_8)
                : new byte[0];
        // constant-time comparison: the answer's timing says nothing about how much of a guess was right
        if (!MessageDigest.isEqual(given, adminToken)) {
            response.putHeader("WWW-Authenticate", "Bearer");
            sendJson(response, 401, new JsonObject().put("error", "unauthorized"));
            return;
        }
        admin.handle(request);
    }

    private void sendReady(HttpServerResponse response) {
        JsonObject checkResults = new JsonObject();
        JsonArray failed = new JsonArray();
        for (Named<BooleanSupplier> check : checks) {
            boolean ok = passes(check.value());
            checkResults.put(check.name(), ok ? "UP" : "DOWN");
            if (!ok) {
                failed.add(check.name());
            }
        }
        if (draining) {
            failed.add("draining");
        }
        boolean ready = failed.isEmpty();
        JsonObject body = new JsonObject()
                .put("status", ready ? "UP" : "DOWN")
                .put("draining", draining)
                .put("checks", checkResults)
                .put("failed", failed);
        // Reported only: see the class comment for why the store does not gate readiness.
        metrics.storeAvailable().ifPresent(up -> body.put("store", up ? "UP" : "DOWN"));
        JsonObject info = new JsonObject();
        for (Named<Supplier<Object>> entry : infos) {
            info.put(entry.name(), infoValue(entry.value()));
        }
        body.put("info", info);
        sendJson(response, ready ? 200 : 503, body);
    }

    private static boolean passes(BooleanSupplier check) {
        try {
            return check.getAsBoolean();
        } catch (RuntimeException e) {
            return false; // a check that cannot answer is not a passing check
        }
    }

    private static Object infoValue(Supplier<Object> supplier) {
        Object v;
        try {
            v = supplier.get();
        } catch (RuntimeException e) {
            return "error: " + e;
        }
        if (v == null
                || v instanceof String
                || v instanceof Number
                || v instanceof Boolean
                || v instanceof JsonObject
                || v instanceof JsonArray) {
            return v;
        }
        try {
            // Vert.x's own encoder decides; a Map/List holding something it cannot encode becomes text.
            if (v instanceof Map<?, ?> m) {
                JsonObject o = new JsonObject(castMap(m));
                o.encode();
                return o;
            }
            if (v instanceof List<?> l) {
                JsonArray a = new JsonArray(l);
                a.encode();
                return a;
            }
        } catch (RuntimeException e) {
            return v.toString();
        }
        return v instanceof Enum<?> e ? e.name() : v.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private static void sendJson(HttpServerResponse response, int status, JsonObject body) {
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.encode());
    }

    private static <T> void requireUnique(String name, List<Named<T>> list) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        for (Named<T> n : list) {
            if (n.name().equals(name)) {
                throw new IllegalArgumentException("duplicate name: " + name);
            }
        }
    }
}

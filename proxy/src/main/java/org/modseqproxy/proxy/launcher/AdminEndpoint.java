package org.modseqproxy.proxy.launcher;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import org.modseqproxy.proxy.config.ProxyConfig;
import org.modseqproxy.proxy.session.ImapProxy;
import org.modseqproxy.proxy.session.SessionView;
import org.modseqproxy.state.ModSeqStore;

/**
 * The operator's admin calls, under {@code /admin/} on the metrics listener (HealthServer checks the bearer token
 * first). JSON in answers only; every argument is a query parameter, so a curl one-liner does each:
 *
 * <ul>
 *   <li>{@code GET /admin/sessions[?user=U]}: user, client, backend, mailbox, since, TLS, traced</li>
 *   <li>{@code POST /admin/disconnect?user=U}: BYE to every session of U (RFC 9051 7.1.5)</li>
 *   <li>{@code GET /admin/trace}, {@code POST /admin/trace?user=U&on=true|false}: the protocol trace</li>
 *   <li>{@code GET /admin/store}: the mod-sequence store and its circuit state</li>
 * </ul>
 *
 * Answers come from memory (session views, flags); nothing here waits on I/O on the event loop.
 */
final class AdminEndpoint implements Handler<HttpServerRequest> {
    private final ImapProxy proxy;
    private final ModSeqStore store;
    private final ProxyConfig config;

    AdminEndpoint(ImapProxy proxy, ModSeqStore store) {
        this.proxy = proxy;
        this.store = store;
        this.config = proxy.config();
    }

    @Override
    public void handle(HttpServerRequest request) {
        String path = request.path();
        boolean post = request.method() == HttpMethod.POST;
        boolean get = request.method() == HttpMethod.GET;
        String user = request.getParam("user");
        switch (path) {
            case "/admin/sessions" -> {
                if (!get) {
                    notAllowed(request, "GET");
                    return;
                }
                JsonArray list = new JsonArray();
                proxy.sessions().stream()
                        .filter(v -> user == null || user.equals(v.user()))
                        .forEach(v -> list.add(json(v)));
                send(request, 200, new JsonObject().put("sessions", list).put("count", list.size()));
            }
            case "/admin/disconnect" -> {
                if (!post) {
                    notAllowed(request, "POST");
                } else if (user == null || user.isBlank()) {
                    send(request, 400, error("user=... is required"));
                } else {
                    send(request, 200, new JsonObject().put("user", user).put("disconnected", proxy.disconnect(user)));
                }
            }
            case "/admin/trace" -> trace(request, post, get, user);
            case "/admin/store" -> {
                if (!get) {
                    notAllowed(request, "GET");
                    return;
                }
                boolean up = store.available();
                send(
                        request,
                        200,
                        new JsonObject()
                                .put("store", Launch.describe(config.state().store()))
                                .put("mode", config.state().mode().name().toLowerCase(Locale.ROOT))
                                .put("available", up)
                                // the store's circuit breaker: open while Redis fails, clients then get NOMODSEQ
                                .put("circuit", up ? "closed" : "open"));
            }
            default -> send(request, 404, error("not found").put("path", path));
        }
    }

    private void trace(HttpServerRequest request, boolean post, boolean get, String user) {
        if (get) {
            send(
                    request,
                    200,
                    new JsonObject()
                            .put("users", new JsonArray(proxy.tracing().users()))
                            .put("dir", proxy.tracing().dir()));
        } else if (!post) {
            notAllowed(request, "GET, POST");
        } else if (user == null || user.isBlank()) {
            send(request, 400, error("user=... is required"));
        } else {
            String on = request.getParam("on", "true");
            if (!on.equals("true") && !on.equals("false")) {
                send(request, 400, error("on must be true or false"));
                return;
            }
            boolean enable = on.equals("true");
            int open = proxy.trace(user, enable);
            send(
                    request,
                    200,
                    new JsonObject()
                            .put("user", user)
                            .put("trace", enable)
                            .put("openSessions", open)
                            .put("dir", proxy.tracing().dir()));
        }
    }

    private JsonObject json(SessionView v) {
        return new JsonObject()
                .put("id", v.id())
                .put("user", v.user())
                .put("client", v.client())
                .put("backend", v.backend())
                .put("mailbox", v.mailbox())
                .put("since", v.since().toString())
                .put("tls", v.tls())
                .put("traced", v.traced());
    }

    private static JsonObject error(String text) {
        return new JsonObject().put("error", text);
    }

    private static void notAllowed(HttpServerRequest request, String allow) {
        request.response().putHeader(HttpHeaders.ALLOW, allow);
        send(request, 405, error("method not allowed"));
    }

    private static void send(HttpServerRequest request, int status, JsonObject body) {
        request.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body.encode());
    }
}

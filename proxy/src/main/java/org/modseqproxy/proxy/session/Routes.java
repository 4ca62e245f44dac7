package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modseqproxy.proxy.config.ProxyConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which store a user's login goes to (routing.*). static: everyone to backend.*. redis: a hash in Redis (see
 * {@link RedisRouteLookup}; a name it gives that is no configured backend counts as none). file: a map file, one
 * {@code user backend} pair per line ({@code #} comments), read again when it changes (checked every
 * routing.reloadCheckInterval) and on SIGHUP; a file that names an unknown backend is refused and the old map stays.
 * A user in no map goes to routing.default, or is refused as a wrong password would be (never a hint that routing
 * exists). Lookups read an immutable map: no I/O on the event loop.
 */
public final class Routes {
    private static final Logger LOG = LoggerFactory.getLogger(Routes.class);

    private final Vertx vertx;
    private final ProxyConfig.Routing config;
    private final String staticBackend;
    private final Set<String> names;
    private volatile Map<String, String> map = Map.of();
    private String loadedText = "";
    private RedisRouteLookup redis;

    private Routes(Vertx vertx, ProxyConfig config) {
        this.vertx = vertx;
        this.config = config.routing();
        this.staticBackend = config.backend().id();
        this.names = Set.copyOf(
                config.backends().stream().map(ProxyConfig.Backend::id).toList());
    }

    /** Loads the map at start (blocking: nothing is served yet); a bad file fails the start. */
    static Routes start(Vertx vertx, ProxyConfig config) throws IOException {
        Routes r = new Routes(vertx, config);
        if (r.config.mode() == ProxyConfig.RoutingMode.REDIS) {
            r.redis = new RedisRouteLookup(r.config.redis());
        }
        if (r.config.mode() == ProxyConfig.RoutingMode.FILE) {
            String text = Files.readString(Path.of(r.config.file()), StandardCharsets.UTF_8);
            r.map = r.parse(text);
            r.loadedText = text;
            if (!r.config.reloadCheckInterval().isZero()) {
                vertx.setPeriodic(r.config.reloadCheckInterval().toMillis(), id -> r.reload());
            }
        }
        return r;
    }

    /**
     * The backend name for this user, or null: refuse the login. Completes on the caller's context (a Redis lookup's
     * answer is brought back to the session's event loop).
     */
    public Future<String> route(String user) {
        return switch (config.mode()) {
            case STATIC -> Future.succeededFuture(staticBackend);
            case FILE -> {
                String b = map.get(user);
                yield Future.succeededFuture(b != null ? b : config.defaultBackend());
            }
            case REDIS ->
                Future.fromCompletionStage(redis.lookup(user), vertx.getOrCreateContext())
                        .map(found -> found.filter(names::contains).orElse(config.defaultBackend()));
        };
    }

    void close() {
        if (redis != null) {
            redis.close();
        }
    }

    /** Reads the file again (off the event loop); true when a changed, valid map is in use now. */
    public Future<Boolean> reload() {
        if (config.mode() != ProxyConfig.RoutingMode.FILE) {
            return Future.succeededFuture(false);
        }
        return vertx.<Boolean>executeBlocking(() -> {
                    String text = Files.readString(Path.of(config.file()), StandardCharsets.UTF_8);
                    synchronized (this) {
                        if (text.equals(loadedText)) {
                            return false;
                        }
                        loadedText = text; // a refused file is said once, not at every check
                        Map<String, String> next = parse(text);
                        map = next;
                        LOG.info("routing map reloaded: {} users", next.size());
                        return true;
                    }
                })
                .onFailure(
                        e -> LOG.warn("routing map not reloaded, the previous one stays in use: {}", e.getMessage()));
    }

    private Map<String, String> parse(String text) {
        Map<String, String> m = new HashMap<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 2) {
                throw new IllegalArgumentException(config.file() + " line " + (i + 1) + ": expected 'user backend'");
            }
            if (!names.contains(parts[1])) {
                throw new IllegalArgumentException(
                        config.file() + " line " + (i + 1) + ": no backend is named '" + parts[1] + "'");
            }
            m.put(parts[0], parts[1]);
        }
        return Map.copyOf(m);
    }
}

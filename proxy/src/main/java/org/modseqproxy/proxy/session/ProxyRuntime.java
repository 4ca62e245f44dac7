package org.modseqproxy.proxy.session;

import io.vertx.core.Vertx;
import io.vertx.core.net.ServerSSLOptions;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.modseqproxy.metrics.ProxyMetrics;
import org.modseqproxy.proxy.codec.Limits;
import org.modseqproxy.proxy.config.ProxyConfig;
import org.modseqproxy.proxy.sync.StatePolicy;

/**
 * What every session of one proxy process shares: configuration, the backend client, TLS material, the state policy
 * (which store, which mailboxes have mod-sequences) and the metrics. Immutable apart from the session set.
 */
public final class ProxyRuntime {
    /** Builds the runtime of one listener verticle (its own NetClient, bound to its event loop). */
    @FunctionalInterface
    public interface Factory {
        ProxyRuntime create(Vertx vertx);
    }

    private final Vertx vertx;
    private final Supplier<ProxyConfig> config;
    private final Map<String, BackendRoute> routes;
    private final Routes routing;
    private final ServerCertificates certificates;
    private final ProxyMetrics metrics;
    private final Set<FrontSession> sessions;
    private volatile boolean draining;

    /** @param routes every store by name, backend.* first (this event loop's clients) */
    public ProxyRuntime(
            Vertx vertx,
            Supplier<ProxyConfig> config,
            Map<String, BackendRoute> routes,
            Routes routing,
            ServerCertificates certificates,
            ProxyMetrics metrics,
            Set<FrontSession> sessions,
            Tracing tracing) {
        this.tracing = tracing;
        this.sessions = sessions;
        this.vertx = vertx;
        this.config = config;
        this.routes = Map.copyOf(routes);
        this.defaultRoute = routes.get(config.get().backend().id());
        this.routing = routing;
        this.certificates = certificates;
        this.metrics = metrics;
    }

    private final BackendRoute defaultRoute;
    private final Tracing tracing;

    /** Who is traced (shared by every listener instance). */
    public Tracing tracing() {
        return tracing;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** The configuration now: limits.* may have changed since the start (SIGHUP); new sessions use the new ones. */
    public ProxyConfig config() {
        return config.get();
    }

    /** backend.*: where every session points before login, and every login with static routing. */
    public BackendRoute defaultRoute() {
        return defaultRoute;
    }

    /** The store of that name (routing decided it); null when none is. */
    public BackendRoute route(String name) {
        return name == null ? null : routes.get(name);
    }

    public Collection<BackendRoute> allRoutes() {
        return routes.values();
    }

    /** Which store a login goes to. */
    public Routes routing() {
        return routing;
    }

    public BackendHealth backendHealth() {
        return defaultRoute.health();
    }

    /** TLS material for STARTTLS toward clients, as reloaded last; null when no certificate is configured. */
    public ServerSSLOptions serverSsl() {
        return certificates == null ? null : certificates.current();
    }

    /** The certificates behind {@link #serverSsl()}; null when none is configured. */
    ServerCertificates certificates() {
        return certificates;
    }

    /** What the decoder of a client connection accepts: the configured line and literal limits (RFC 7162 4). */
    Limits commandLimits() {
        Limits defaults = Limits.commandDefaults();
        return new Limits(
                config().limits().maxLineLength(),
                config().limits().maxLiteralSize(),
                defaults.inlineLiteralMax(),
                defaults.maxFrameBytes(),
                defaults.maxNestingDepth(),
                defaults.maxItems());
    }

    public StatePolicy statePolicy() {
        return defaultRoute.policy();
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    public Set<FrontSession> sessions() {
        return sessions;
    }

    /** Admits a session unless draining or full; the count is shared by all listener instances. */
    boolean tryOpen(FrontSession s) {
        if (draining || pools.preLogin.get() >= config().limits().maxPreLoginSessions()) {
            return false;
        }
        int perIp = config().limits().maxConnectionsPerIp();
        if (perIp > 0 && s.clientId().ip() != null) {
            // O(sessions), only when the limit is on; the clients of one address count across all listener instances
            long same = sessions.stream()
                    .filter(o -> s.clientId().ip().equals(o.clientId().ip()))
                    .limit(perIp)
                    .count();
            if (same >= perIp) {
                metrics.loginRefused("per_ip_limit");
                return false;
            }
        }
        pools.preLogin.incrementAndGet();
        sessions.add(s);
        metrics.sessionOpened();
        return true;
    }

    /**
     * A session logged in: it leaves the pre-login pool for the one {@code limits.maxSessions} bounds. False when that
     * pool is full (the caller refuses the login); the session then counts in neither.
     */
    boolean promote(FrontSession s) {
        pools.preLogin.decrementAndGet();
        if (pools.authenticated.incrementAndGet() > config().limits().maxSessions()) {
            pools.authenticated.decrementAndGet();
            return false;
        }
        return true;
    }

    void closed(FrontSession s, boolean promoted, boolean refused) {
        if (sessions.remove(s)) {
            metrics.sessionClosed();
            if (promoted) {
                pools.authenticated.decrementAndGet();
            } else if (!refused) {
                pools.preLogin.decrementAndGet();
            }
        }
    }

    /** The two session counts, shared by every listener instance of one proxy. */
    public static final class Pools {
        final AtomicInteger preLogin = new AtomicInteger();
        final AtomicInteger authenticated = new AtomicInteger();
    }

    private Pools pools = new Pools();

    /** Shares the counts of another runtime of the same proxy (ImapProxy gives all of them one). */
    public ProxyRuntime pools(Pools shared) {
        this.pools = shared;
        return this;
    }

    public boolean draining() {
        return draining;
    }

    public void drain() {
        draining = true;
    }
}

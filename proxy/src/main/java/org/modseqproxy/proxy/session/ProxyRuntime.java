package org.modseqproxy.proxy.session;

import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.ServerSSLOptions;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
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
    private final ProxyConfig config;
    private final NetClient backendClient;
    private final ClientSSLOptions backendSsl;
    private final ServerCertificates certificates;
    private final StatePolicy statePolicy;
    private final ProxyMetrics metrics;
    private final Set<FrontSession> sessions;
    private volatile boolean draining;

    public ProxyRuntime(
            Vertx vertx,
            ProxyConfig config,
            NetClient backendClient,
            ClientSSLOptions backendSsl,
            ServerCertificates certificates,
            StatePolicy statePolicy,
            ProxyMetrics metrics,
            Set<FrontSession> sessions,
            BackendHealth backendHealth,
            Tracing tracing) {
        this.tracing = tracing;
        this.sessions = sessions;
        this.backendHealth = backendHealth;
        this.vertx = vertx;
        this.config = config;
        this.backendClient = backendClient;
        this.backendSsl = backendSsl;
        this.certificates = certificates;
        this.statePolicy = statePolicy;
        this.metrics = metrics;
    }

    private final Tracing tracing;

    /** Who is traced (shared by every listener instance). */
    public Tracing tracing() {
        return tracing;
    }

    public Vertx vertx() {
        return vertx;
    }

    public ProxyConfig config() {
        return config;
    }

    private final BackendHealth backendHealth;

    public BackendHealth backendHealth() {
        return backendHealth;
    }

    public NetClient backendClient() {
        return backendClient;
    }

    public ClientSSLOptions backendSsl() {
        return backendSsl;
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
                config.limits().maxLineLength(),
                config.limits().maxLiteralSize(),
                defaults.inlineLiteralMax(),
                defaults.maxFrameBytes(),
                defaults.maxNestingDepth(),
                defaults.maxItems());
    }

    public StatePolicy statePolicy() {
        return statePolicy;
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    public Set<FrontSession> sessions() {
        return sessions;
    }

    /** Admits a session unless draining or full; the count is shared by all listener instances. */
    boolean tryOpen(FrontSession s) {
        if (draining || pools.preLogin.get() >= config.limits().maxPreLoginSessions()) {
            return false;
        }
        int perIp = config.limits().maxConnectionsPerIp();
        if (perIp > 0 && s.clientIp() != null) {
            // O(sessions), only when the limit is on; the clients of one address count across all listener instances
            long same = sessions.stream()
                    .filter(o -> s.clientIp().equals(o.clientIp()))
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
        if (pools.authenticated.incrementAndGet() > config.limits().maxSessions()) {
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

package org.modseqproxy.proxy.session;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.ClientSSLOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.modseqproxy.metrics.ProxyMetrics;
import org.modseqproxy.proxy.config.ProxyConfig;
import org.modseqproxy.proxy.sync.StatePolicy;
import org.modseqproxy.state.ModSeqStore;

/**
 * The running proxy: listener verticles (one per event loop), the shared session set, and graceful shutdown. Used by
 * the launcher and by tests, which start it on port 0 and read the actual ports.
 */
public final class ImapProxy {
    private final Vertx vertx;
    private volatile ProxyConfig config;
    private final ProxyMetrics metrics;
    private final StatePolicy policy;
    private final Tracing tracing;
    private final List<ListenerVerticle> listeners = new CopyOnWriteArrayList<>();
    private final List<ProxyRuntime> runtimes = new CopyOnWriteArrayList<>();

    /**
     * The Vert.x instance a proxy runs on. Blocking work is only file reads (certificates, routing maps, checked
     * periodically), so the worker pool is small: a ThreadPoolExecutor starts a new thread per task until it has its
     * core size, and Vert.x's default of 20 showed in a soak as one more idle thread per minute (issue 13).
     */
    public static Vertx newVertx() {
        return Vertx.vertx(new VertxOptions().setWorkerPoolSize(WORKER_THREADS));
    }

    static final int WORKER_THREADS = 2;

    public ImapProxy(Vertx vertx, ProxyConfig config, ModSeqStore store, ProxyMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.metrics = metrics;
        this.tracing = new Tracing(config.trace());
        for (ProxyConfig.Backend b : config.backends()) {
            // the backend's name is its state namespace: two stores never share mod-sequences
            policies.put(
                    b.id(),
                    new StatePolicy(
                            store,
                            b.id(),
                            b.stateMode() != null
                                    ? b.stateMode()
                                    : config.state().mode(),
                            config.state().offMailboxes(),
                            config.state().listingReuse(),
                            // a live instance releases every hold; a backend silent this long has failed the STORE
                            b.responseTimeout().multipliedBy(2)));
        }
        this.policy = policies.get(config.backend().id());
    }

    private final Map<String, StatePolicy> policies = new LinkedHashMap<>();
    private final Map<String, BackendHealth> healths = new LinkedHashMap<>();
    private Routes routing;

    public Future<ImapProxy> start(int instances) {
        try {
            certificates = ServerCertificates.load(vertx, config.tls(), metrics);
            routing = Routes.start(vertx, config);
        } catch (IOException | RuntimeException e) {
            return Future.failedFuture(new IllegalStateException(e.getMessage(), e));
        }
        if (certificates == null && config.listen().tls() != null) {
            return Future.failedFuture(new IllegalStateException("listen.tls needs tls.cert and tls.key"));
        }
        if (certificates != null) {
            certificates.watch(config.tls().reloadCheckInterval());
        }
        Map<String, ClientSSLOptions> ssl = new LinkedHashMap<>();
        for (ProxyConfig.Backend b : config.backends()) {
            healths.put(b.id(), new BackendHealth(b.address()));
            ssl.put(b.id(), BackendRoute.ssl(b));
        }
        backendHealth = healths.get(config.backend().id());
        ProxyRuntime.Factory factory = vx -> {
            Map<String, BackendRoute> routes = new LinkedHashMap<>();
            for (ProxyConfig.Backend b : config.backends()) {
                ClientSSLOptions s = ssl.get(b.id());
                routes.put(
                        b.id(),
                        new BackendRoute(
                                b, BackendRoute.client(vx, b, s), s, healths.get(b.id()), policies.get(b.id())));
            }
            ProxyRuntime rt = new ProxyRuntime(
                            vx, () -> config, routes, routing, certificates, metrics, sharedSessions, tracing)
                    .pools(pools);
            runtimes.add(rt);
            return rt;
        };
        return vertx.deployVerticle(
                        () -> {
                            ListenerVerticle v = new ListenerVerticle(factory);
                            listeners.add(v);
                            return v;
                        },
                        new DeploymentOptions().setInstances(instances))
                .map(id -> {
                    learnBackendMechanisms();
                    return this;
                });
    }

    /**
     * One connection at start tells which of auth.relay the backend offers, so that the first greetings offer them
     * (every login refreshes it). Not awaited; a backend that is down now is learnt at the first login instead.
     */
    private void learnBackendMechanisms() {
        if (config.auth().relay().isEmpty() || runtimes.isEmpty()) {
            return;
        }
        for (BackendRoute r : runtimes.get(0).allRoutes()) {
            BackendHandshake.connect(vertx, r.client(), r.config(), r.ssl(), e -> {})
                    .onSuccess(conn -> {
                        r.health().preLoginCapabilities(conn.capabilities());
                        conn.close();
                    })
                    .onFailure(e -> org.slf4j.LoggerFactory.getLogger(ImapProxy.class)
                            .debug("capabilities of {} not learnt at start: {}", r.name(), e.getMessage()));
        }
    }

    /** Every store's reachability by name (backend.* is the one /ready checks). */
    public Map<String, BackendHealth> backendHealths() {
        return Map.copyOf(healths);
    }

    /**
     * Applies the limits.* of a configuration read again (SIGHUP): true when they changed. New sessions and new
     * logins use them; open sessions keep the line, literal and idle limits they started with. Other keys need a
     * restart and are ignored here.
     */
    public boolean reloadLimits(ProxyConfig fresh) {
        if (fresh.limits().equals(config.limits())) {
            return false;
        }
        org.slf4j.LoggerFactory.getLogger(ImapProxy.class)
                .info("limits reloaded: {} (were {})", fresh.limits(), config.limits());
        config = config.withLimits(fresh.limits());
        return true;
    }

    /** Reads the routing map again (SIGHUP); true when a changed, valid map is in use. */
    public Future<Boolean> reloadRouting() {
        return routing == null ? Future.succeededFuture(false) : routing.reload();
    }

    private ServerCertificates certificates;

    /**
     * Reads the certificate files again (SIGHUP): true when new ones are in use, false when nothing changed; fails with
     * the reason when the new files are refused (the old ones stay).
     */
    public Future<Boolean> reloadCertificates() {
        return certificates == null
                ? Future.failedFuture(new IllegalStateException("no TLS certificate configured"))
                : certificates.reload();
    }

    private final Set<FrontSession> sharedSessions = ConcurrentHashMap.newKeySet();
    private BackendHealth backendHealth;
    private final ProxyRuntime.Pools pools = new ProxyRuntime.Pools();

    /** Backend reachability as the sessions found it (for /ready). */
    public BackendHealth backendHealth() {
        return backendHealth;
    }

    /** Actual listening ports: [plain, tls] as configured (plain first). */
    public List<Integer> ports() {
        return listeners.get(0).ports();
    }

    public int sessionCount() {
        return sharedSessions.size();
    }

    /** Every session, as the admin endpoint lists them (oldest first). */
    public List<SessionView> sessions() {
        return sharedSessions.stream()
                .map(FrontSession::view)
                .sorted(Comparator.comparing(SessionView::since))
                .toList();
    }

    /** Says BYE to every session of {@code user} (admin endpoint); returns how many there were. */
    public int disconnect(String user) {
        List<FrontSession> theirs = ofUser(user);
        theirs.forEach(s -> s.shutdown("Disconnected by the administrator"));
        return theirs.size();
    }

    /** Switches the protocol trace for a user: future logins and the sessions open now. Returns the latter's count. */
    public int trace(String user, boolean on) {
        tracing.trace(user, on);
        List<FrontSession> theirs = ofUser(user);
        theirs.forEach(s -> s.trace(on));
        return theirs.size();
    }

    public ProxyConfig config() {
        return config;
    }

    public Tracing tracing() {
        return tracing;
    }

    private List<FrontSession> ofUser(String user) {
        return sharedSessions.stream().filter(s -> user.equals(s.view().user())).toList();
    }

    public StatePolicy statePolicy() {
        return policy;
    }

    /**
     * Graceful shutdown: stop accepting, say BYE to sessions that wait for a command, let running commands finish
     * until the deadline, then BYE to the rest.
     */
    public Future<Void> shutdown(Duration grace) {
        runtimes.forEach(ProxyRuntime::drain);
        Promise<Void> done = Promise.promise();
        done.future().onComplete(ar -> {
            if (routing != null) {
                routing.close(); // the routing lookup's Redis connection, if any
            }
        });
        // Not awaited: the servers' shutdown completes once the sessions below have said BYE and closed.
        listeners.forEach(l -> l.stopAccepting(grace));
        long deadline = System.nanoTime() + grace.toNanos();
        // A timer re-armed by each pass, not setPeriodic(0, ...): cancelling a periodic timer from its first, immediate
        // run raced with Vert.x still arming it (NullPointerException in the timer's cancel, and the process then
        // lingered until its stop timeout).
        vertx.runOnContext(v -> shutdownPass(deadline, done));
        return done.future();
    }

    /** One pass of the graceful shutdown: BYE to idle sessions (all of them once late); again in 50 ms until none. */
    private void shutdownPass(long deadline, Promise<Void> done) {
        boolean late = System.nanoTime() > deadline;
        for (FrontSession s : List.copyOf(sharedSessions)) {
            if (late || !s.busy()) {
                s.shutdown("Server shutting down");
            }
        }
        if (sharedSessions.isEmpty() || System.nanoTime() > deadline + 2_000_000_000L) {
            done.tryComplete();
        } else {
            vertx.setTimer(50, id -> shutdownPass(deadline, done));
        }
    }
}

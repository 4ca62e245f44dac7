package org.modseqproxy.proxy.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.SelfSignedCertificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.modseqproxy.metrics.ProxyMetrics;
import org.modseqproxy.proxy.config.ConfigLoader;
import org.modseqproxy.proxy.config.ProxyConfig;
import org.modseqproxy.proxy.session.ImapProxy;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.ModSeqStores;

/**
 * A real proxy on ephemeral loopback ports in front of any backend (GreenMail, Courier, Dovecot). Tests configure it
 * like an operator would, through {@link ConfigLoader} keys.
 */
public final class ProxyFixture implements AutoCloseable {
    private final Vertx vertx;
    private final ImapProxy proxy;
    private final ModSeqStore store;
    private final boolean ownStore;
    private final SelfSignedCertificate cert;
    private final ProxyMetrics metrics;

    private ProxyFixture(
            Vertx vertx,
            ImapProxy proxy,
            ModSeqStore store,
            boolean ownStore,
            SelfSignedCertificate cert,
            ProxyMetrics metrics) {
        this.vertx = vertx;
        this.proxy = proxy;
        this.store = store;
        this.ownStore = ownStore;
        this.cert = cert;
        this.metrics = metrics;
    }

    /** Proxy with a fresh in-memory store in front of host:port. */
    public static ProxyFixture start(String backendHost, int backendPort) {
        return start(backendHost, backendPort, "memory", c -> {});
    }

    /**
     * The store is built from state.store = stateSpec and the other state.* keys as the launcher does (tweaks to state.*
     * apply, e.g. state.tls.caFile or state.password).
     */
    public static ProxyFixture start(
            String backendHost, int backendPort, String stateSpec, Consumer<ConfigLoader> tweak) {
        Consumer<ConfigLoader> withSpec = c -> {
            c.set("state.store", stateSpec);
            tweak.accept(c);
        };
        ConfigLoader probe = new ConfigLoader()
                .set("backend.address", backendHost + ":" + backendPort)
                .set("state.timeout", "1s");
        withSpec.accept(probe);
        ModSeqStore store = ModSeqStores.create(stateSpec, probe.build().state().storeOptions());
        return start(backendHost, backendPort, store, true, withSpec);
    }

    /** Proxy using a store the test owns (to share one store between two proxies, or to inspect it). */
    public static ProxyFixture start(
            String backendHost, int backendPort, ModSeqStore store, Consumer<ConfigLoader> tweak) {
        return start(backendHost, backendPort, store, false, tweak);
    }

    private static ProxyFixture start(
            String backendHost, int backendPort, ModSeqStore store, boolean ownStore, Consumer<ConfigLoader> tweak) {
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        ConfigLoader loader = new ConfigLoader()
                .set("listen.plain", "127.0.0.1:0")
                .set("listen.tls", "127.0.0.1:0")
                .set("tls.cert", cert.certificatePath())
                .set("tls.key", cert.privateKeyPath())
                .set("backend.address", backendHost + ":" + backendPort)
                .set("backend.connectTimeout", "3s")
                .set("backend.responseTimeout", "10s")
                .set("shutdown.gracePeriod", "2s")
                // a failed login waits 2 s by default; tests that fail logins on purpose need not (LoginThrottlingTest
                // checks it)
                .set("limits.loginFailureDelay", "50ms");
        tweak.accept(loader);
        ProxyConfig config = loader.build();
        Vertx vertx = ImapProxy.newVertx();
        ProxyMetrics metrics = new ProxyMetrics("test");
        ImapProxy proxy = new ImapProxy(vertx, config, store, metrics);
        try {
            proxy.start(2).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("proxy did not start", e);
        }
        return new ProxyFixture(vertx, proxy, store, ownStore, cert, metrics);
    }

    public String host() {
        return "127.0.0.1";
    }

    /** Plain + STARTTLS port. */
    public int port() {
        return proxy.ports().get(0);
    }

    public int tlsPort() {
        return proxy.ports().get(1);
    }

    public ImapProxy proxy() {
        return proxy;
    }

    public ModSeqStore store() {
        return store;
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    public int sessions() {
        return proxy.sessionCount();
    }

    public RawImap connect() {
        return RawImap.connect(host(), port());
    }

    public void shutdown(Duration grace) {
        try {
            proxy.shutdown(grace)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(grace.toSeconds() + 15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort
        }
        if (ownStore) {
            store.close();
        }
        cert.delete();
    }
}

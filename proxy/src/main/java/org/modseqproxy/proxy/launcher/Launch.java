package org.modseqproxy.proxy.launcher;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.modseqproxy.metrics.HealthServer;
import org.modseqproxy.metrics.ProxyMetrics;
import org.modseqproxy.proxy.config.HostPort;
import org.modseqproxy.proxy.config.ProxyConfig;
import org.modseqproxy.proxy.log.LogSetup;
import org.modseqproxy.proxy.session.ImapProxy;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.ModSeqStores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Starts a configured proxy (store, metrics, listeners) and stops it gracefully on SIGTERM/SIGINT, exiting 0. */
final class Launch {
    private static final Logger LOG = LoggerFactory.getLogger(Launch.class);

    private Launch() {}

    static ModSeqStore store(ProxyConfig config) {
        return ModSeqStores.create(config.state().store(), config.state().storeOptions());
    }

    /** Starts everything; blocks the main thread until a signal has shut the proxy down. */
    static int runUntilSignal(ProxyConfig config, Runnable afterStart, Runnable onStop) throws InterruptedException {
        return runUntilSignal(config, () -> config, afterStart, onStop);
    }

    /** @param reread the configuration as its sources say now (file, environment, flags), for SIGHUP */
    static int runUntilSignal(ProxyConfig config, Supplier<ProxyConfig> reread, Runnable afterStart, Runnable onStop)
            throws InterruptedException {
        LogSetup.use(config.log().format() == ProxyConfig.LogFormat.JSON);
        Vertx vertx = ImapProxy.newVertx();
        ModSeqStore store = store(config);
        ProxyMetrics metrics = new ProxyMetrics(config.metrics().instanceId());
        metrics.setStoreAvailable(store::available);
        ImapProxy proxy = new ImapProxy(vertx, config, store, metrics);
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        try {
            proxy.start(instances).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            System.err.println("modseq-proxy: cannot start: " + cause.getMessage());
            vertx.close();
            store.close();
            return 1;
        }
        HealthServer health = null;
        HostPort metricsAt = config.metrics().listen();
        if (metricsAt != null) {
            health = new HealthServer(vertx, metrics)
                    .readinessCheck("listening", () -> true)
                    .readinessCheck("backend", () -> proxy.backendHealth().reachable())
                    .info("store", () -> store.available() ? "available" : "unavailable (answering NOMODSEQ)")
                    .info("sessions", proxy::sessionCount);
            if (config.metrics().adminToken() != null) {
                health.admin(config.metrics().adminToken(), new AdminEndpoint(proxy, store));
            }
            try {
                health.listen(metricsAt.host(), metricsAt.port())
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("modseq-proxy: cannot listen for metrics on " + metricsAt + ": " + e.getMessage());
            }
        }
        LOG.info(
                "listening on {} (plain/STARTTLS){}, backend {}, state {}",
                config.listen().plain(),
                config.listen().tls() == null ? "" : " and " + config.listen().tls() + " (implicit TLS)",
                config.backend().address(),
                describe(config.state().store()));
        afterStart.run();
        CountDownLatch stop = new CountDownLatch(1);
        for (String sig : List.of("TERM", "INT")) {
            Signal.handle(new Signal(sig), s -> stop.countDown());
        }
        // SIGHUP: certificate files, routing map and limits.* again, without dropping a session (a bad file keeps the
        // old)
        Signal.handle(new Signal("HUP"), s -> {
            proxy.reloadCertificates()
                    .onSuccess(changed -> {
                        if (!changed) {
                            LOG.info("SIGHUP: the TLS certificate files are unchanged");
                        }
                    })
                    .onFailure(e -> LOG.debug("SIGHUP certificates: {}", e.getMessage()));
            proxy.reloadRouting();
            try {
                proxy.reloadLimits(reread.get());
            } catch (RuntimeException e) {
                LOG.warn("SIGHUP: configuration not reloaded, the limits in use stay: {}", e.getMessage());
            }
        });
        stop.await();
        if (health != null) {
            health.startDraining(); // /ready turns 503 so load balancers stop sending new clients
        }
        Duration grace = config.shutdown().gracePeriod();
        LOG.info("shutting down: no new connections, {} s for running commands", grace.toSeconds());
        try {
            proxy.shutdown(grace)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(grace.toSeconds() + 10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("shutdown did not finish cleanly: {}", e.toString());
        }
        if (health != null) {
            health.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
        store.close();
        onStop.run();
        return 0;
    }

    /** Redis URIs may hold a password: never log one (user:pass@ becomes ***@). */
    static String describe(String spec) {
        return ModSeqStores.redacted(spec);
    }
}

package org.modseqproxy.proxy.session;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import java.util.List;
import org.modseqproxy.proxy.config.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the backend can be reached, for /ready (issue 10: a refusing backend left /ready at 200 and was never
 * logged). Learnt from the sessions' own connects; while the backend is unreachable, a plain TCP connect every few
 * seconds finds out when it is back, so readiness recovers without client traffic. Failures are logged at most
 * once per {@link #LOG_EVERY_NANOS}; shared by all listener instances.
 */
public final class BackendHealth {
    private static final Logger LOG = LoggerFactory.getLogger(BackendHealth.class);
    static final long LOG_EVERY_NANOS = 30_000_000_000L;
    static final long PROBE_EVERY_MILLIS = 5_000;

    private final HostPort address;
    private volatile boolean reachable = true;
    private volatile boolean probing;
    private volatile long lastLog = System.nanoTime() - LOG_EVERY_NANOS;

    public BackendHealth(HostPort address) {
        this.address = address;
    }

    public boolean reachable() {
        return reachable;
    }

    private volatile List<String> preLoginCapabilities = List.of();

    /** The backend's capabilities before login, as the last connection found them (its AUTH= mechanisms). */
    public List<String> preLoginCapabilities() {
        return preLoginCapabilities;
    }

    void preLoginCapabilities(List<String> caps) {
        preLoginCapabilities = List.copyOf(caps);
    }

    void connected() {
        if (!reachable) {
            LOG.info("backend {} reachable again", address);
        }
        reachable = true;
    }

    /** A session could not connect; the reason goes to the log (rate-limited), never to the client. */
    void failed(Vertx vertx, NetClient client, String reason) {
        reachable = false;
        long now = System.nanoTime();
        if (now - lastLog >= LOG_EVERY_NANOS) {
            lastLog = now;
            LOG.warn(
                    "backend {} unavailable: {} (clients get NO [UNAVAILABLE]; /ready reports DOWN until it is back)",
                    address,
                    reason);
        }
        if (!probing) {
            probing = true;
            vertx.setTimer(PROBE_EVERY_MILLIS, t -> probe(vertx, client));
        }
    }

    private void probe(Vertx vertx, NetClient client) {
        if (reachable) {
            probing = false;
            return;
        }
        client.connect(address.port(), address.host()).onComplete(ar -> {
            if (ar.succeeded()) {
                ar.result().close();
                probing = false;
                connected();
            } else {
                vertx.setTimer(PROBE_EVERY_MILLIS, t -> probe(vertx, client));
            }
        });
    }
}

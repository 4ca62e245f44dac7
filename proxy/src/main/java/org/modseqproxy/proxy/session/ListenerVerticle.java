package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.proxy.config.HostPort;

/**
 * Deployed once per event loop; Vert.x balances each listening port across the instances. Every session lives on
 * the event loop that accepted it, together with its backend connection, so a session needs no locks.
 */
public final class ListenerVerticle extends VerticleBase {
    private final ProxyRuntime.Factory runtimes;
    private final List<NetServer> servers = new ArrayList<>();
    private ProxyRuntime rt;

    public ListenerVerticle(ProxyRuntime.Factory runtimes) {
        this.runtimes = runtimes;
    }

    @Override
    public Future<?> start() {
        rt = runtimes.create(vertx);
        List<Future<?>> listening = new ArrayList<>();
        HostPort plain = rt.config().listen().plain();
        if (plain != null) {
            NetServer s = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true));
            s.connectHandler(sock -> new FrontSession(rt, sock, false).start());
            servers.add(s);
            listening.add(s.listen(plain.port(), plain.host()).map(bound -> {
                if (rt.serverSsl() != null) {
                    StartTlsWorkaround.shareSslContextManager(s);
                }
                return bound;
            }));
        }
        HostPort tls = rt.config().listen().tls();
        if (tls != null) {
            NetServerOptions o = new NetServerOptions().setTcpNoDelay(true).setSsl(true);
            o.setKeyCertOptions(rt.serverSsl().getKeyCertOptions());
            NetServer s = vertx.createNetServer(o);
            s.connectHandler(sock -> new FrontSession(rt, sock, true).start());
            // Vert.x reports a failed implicit-TLS handshake here, before any session exists (RFC 8314 3.2)
            s.exceptionHandler(
                    e -> rt.metrics().tlsHandshakeFailed(MeterNames.LISTENER_IMPLICIT, TlsFailure.reason(e)));
            servers.add(s);
            listening.add(s.listen(tls.port(), tls.host()));
        }
        return Future.all(listening);
    }

    /**
     * Stop accepting; sessions already open go on until the shutdown logic ends them (BYE) or the grace period ends.
     * Vert.x 5's NetServer.close() is shutdown(0), which would cut every open connection at once.
     */
    public Future<Void> stopAccepting(Duration grace) {
        List<Future<Void>> closing = new ArrayList<>();
        servers.forEach(s -> closing.add(s.shutdown(grace.toMillis() + 1000, TimeUnit.MILLISECONDS)));
        return Future.all(closing).mapEmpty();
    }

    /** Actual ports (useful when configured with port 0): plain first, then TLS. */
    public List<Integer> ports() {
        return servers.stream().map(NetServer::actualPort).toList();
    }
}

package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.proxy.config.HostPort;
import org.modseqproxy.proxy.config.ProxyConfig;

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
            NetServer s = vertx.createNetServer(options());
            s.connectHandler(sock -> accept(sock, false));
            s.exceptionHandler(e -> failedBeforeSession(e, false));
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
            NetServerOptions o = options().setSsl(true).setSni(rt.certificates().sni());
            o.setKeyCertOptions(rt.serverSsl().getKeyCertOptions());
            NetServer s = vertx.createNetServer(o);
            s.connectHandler(sock -> accept(sock, true));
            s.exceptionHandler(e -> failedBeforeSession(e, true));
            servers.add(s);
            listening.add(s.listen(tls.port(), tls.host()));
            rt.certificates().register(s); // reloads reach new implicit-TLS connections (STARTTLS reads current())
        }
        return Future.all(listening);
    }

    /**
     * With the PROXY protocol on, Vert.x reads the header (Netty's decoder, versions 1 and 2) before anything else,
     * before TLS on the implicit-TLS port, and its declared source becomes {@code remoteAddress()}.
     */
    private NetServerOptions options() {
        NetServerOptions o = new NetServerOptions().setTcpNoDelay(true);
        ProxyConfig.ProxyProtocol pp = rt.config().listen().proxyProtocol();
        if (pp.required()) {
            o.setUseProxyProtocol(true)
                    .setProxyProtocolTimeout(Math.max(1, pp.timeout().toMillis()))
                    .setProxyProtocolTimeoutUnit(TimeUnit.MILLISECONDS);
        }
        return o;
    }

    private void accept(NetSocket sock, boolean implicitTls) {
        ProxyConfig.ProxyProtocol pp = rt.config().listen().proxyProtocol();
        // proxy-protocol.txt section 2: believe a declared address only from the configured balancers. On the
        // implicit-TLS port Vert.x has finished the handshake by now; the peer still never sees a greeting.
        if (pp.required() && !pp.trusted().contains(ProxyHeaderFailure.inet(sock.remoteAddress(true)))) {
            rt.metrics().proxyProtocolRefused(MeterNames.PROXY_UNTRUSTED);
            sock.close();
            return;
        }
        new FrontSession(rt, sock, implicitTls).start();
    }

    /**
     * Vert.x reports here what failed before a session existed: a PROXY protocol header (missing or malformed) and,
     * on the implicit-TLS port, the TLS handshake (RFC 8314 3.2).
     */
    private void failedBeforeSession(Throwable e, boolean implicitTls) {
        String proxyReason = ProxyHeaderFailure.reason(e);
        if (proxyReason != null) {
            rt.metrics().proxyProtocolRefused(proxyReason);
        } else if (implicitTls) {
            rt.metrics().tlsHandshakeFailed(MeterNames.LISTENER_IMPLICIT, TlsFailure.reason(e));
        }
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

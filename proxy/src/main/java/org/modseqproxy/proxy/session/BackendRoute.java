package org.modseqproxy.proxy.session;

import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import org.modseqproxy.proxy.config.ProxyConfig;
import org.modseqproxy.proxy.sync.StatePolicy;

/**
 * One store a login can be routed to, as one event loop uses it: its configuration, the client that connects to it
 * (this loop's), its TLS trust, its reachability and its state policy (the backend's name is the state namespace, so
 * two stores never share mod-sequences). The last two are shared by every loop.
 */
public record BackendRoute(
        ProxyConfig.Backend config, NetClient client, ClientSSLOptions ssl, BackendHealth health, StatePolicy policy) {

    public String name() {
        return config.id();
    }

    /** TLS toward the store: verified against the JVM's or the configured CA, or (verify: false) trusting all. */
    static ClientSSLOptions ssl(ProxyConfig.Backend b) {
        ClientSSLOptions ssl = new ClientSSLOptions();
        if (!b.verify()) {
            ssl.setTrustAll(true);
        } else {
            ssl.setHostnameVerificationAlgorithm("HTTPS");
            if (b.caFile() != null) {
                ssl.setTrustOptions(new PemTrustOptions().addCertPath(b.caFile()));
            }
        }
        return ssl;
    }

    /** This event loop's client for the store. */
    static NetClient client(Vertx vx, ProxyConfig.Backend b, ClientSSLOptions ssl) {
        NetClientOptions o = new NetClientOptions()
                .setConnectTimeout((int) b.connectTimeout().toMillis())
                .setTcpNoDelay(true)
                // Reads from the backend in 16 KiB pieces: when a slow client pauses the backend, what is already
                // read and queued (Vert.x keeps a few reads pending) stays a few hundred KB instead of megabytes.
                .setReceiveBufferSize(16 * 1024);
        if (b.tls() == ProxyConfig.BackendTls.IMPLICIT) {
            o.setSsl(true)
                    .setTrustAll(ssl.isTrustAll())
                    .setHostnameVerificationAlgorithm(ssl.getHostnameVerificationAlgorithm());
            if (ssl.getTrustOptions() != null) {
                o.setTrustOptions(ssl.getTrustOptions());
            }
        }
        return vx.createNetClient(o);
    }
}

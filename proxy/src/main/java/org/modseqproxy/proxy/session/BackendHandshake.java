package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClient;
import java.util.List;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.command.Capabilities;
import org.modseqproxy.proxy.config.ProxyConfig;
import org.modseqproxy.proxy.sync.BackendListener;

/**
 * Opening a backend connection, up to the point where LOGIN may be sent: TCP connect, the greeting (within the
 * connect timeout), STARTTLS when configured, and the capabilities as they stand after TLS. Every failure is a
 * {@link BackendException} whose text can go to the client.
 */
final class BackendHandshake {
    private final Vertx vertx;
    private final ProxyConfig.Backend config;
    private final BackendConnection conn;

    private BackendHandshake(Vertx vertx, ProxyConfig.Backend config, BackendConnection conn) {
        this.vertx = vertx;
        this.config = config;
        this.conn = conn;
    }

    /**
     * Connects, reads the greeting, does STARTTLS when configured, and learns the capabilities. Fails with a {@link
     * BackendException} whose text can go to the client.
     */
    static Future<BackendConnection> connect(
            Vertx vertx,
            NetClient client,
            ProxyConfig.Backend config,
            ClientSSLOptions ssl,
            Handler<BackendException> onFailure) {
        String host = config.address().host();
        return client.connect(config.address().port(), host)
                .recover(err -> Future.failedFuture(new BackendException("Backend unavailable: " + err.getMessage())))
                .compose(sock -> {
                    BackendConnection conn = new BackendConnection(vertx, config, sock, onFailure);
                    // Until connected, a drop or stall fails this promise (the session has no backend to BYE yet).
                    Promise<BackendConnection> connected = Promise.promise();
                    conn.failWhileConnecting(connected);
                    conn.start();
                    BackendHandshake handshake = new BackendHandshake(vertx, config, conn);
                    handshake
                            .greeting()
                            .compose(caps -> handshake.startTlsIfConfigured(ssl, host))
                            .onComplete(ar -> {
                                conn.failWhileConnecting(null);
                                if (ar.succeeded()) {
                                    connected.tryComplete(conn);
                                } else {
                                    connected.tryFail(ar.cause());
                                    conn.close();
                                }
                            });
                    return connected.future();
                });
    }

    /**
     * The greeting must arrive within the connect timeout; PREAUTH is treated like OK, BYE is a refusal (RFC 9051
     * 7.1.5). A greeting without a CAPABILITY code makes us ask.
     */
    private Future<List<String>> greeting() {
        Promise<List<String>> promise = Promise.promise();
        long timer = vertx.setTimer(config.connectTimeout().toMillis(), t -> {
            if (promise.tryFail(new BackendException("Backend did not greet in time"))) {
                conn.close();
            }
        });
        conn.unsolicited(new BackendListener() {
            @Override
            public void untagged(Frame frame) {
                vertx.cancelTimer(timer);
                conn.unsolicited(null);
                if ("BYE".equals(frame.keyword())) {
                    promise.tryFail(new BackendException("Backend refused the connection: " + frame.text()));
                    return;
                }
                Capabilities.in(frame).ifPresent(conn::capabilities);
                promise.tryComplete(conn.capabilities());
            }

            @Override
            public void tagged(Frame frame) {}
        });
        return promise.future()
                .compose(caps -> caps.isEmpty() ? conn.refreshCapabilities() : Future.succeededFuture(caps));
    }

    private Future<Void> startTlsIfConfigured(ClientSSLOptions ssl, String host) {
        if (config.tls() != ProxyConfig.BackendTls.STARTTLS) {
            return Future.succeededFuture();
        }
        if (!conn.has("STARTTLS")) {
            conn.close();
            return Future.failedFuture(new BackendException("Backend does not offer STARTTLS"));
        }
        return conn.run("STARTTLS")
                .compose(r -> {
                    if (!r.ok()) {
                        return Future.failedFuture(new BackendException("Backend refused STARTTLS"));
                    }
                    return conn.upgradeToSsl(ssl, host);
                })
                // RFC 9051 6.2.1: capabilities learned before TLS must be discarded.
                .compose(v -> conn.refreshCapabilities())
                .mapEmpty();
    }
}

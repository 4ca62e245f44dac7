package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import org.modseqproxy.metrics.MeterNames;

/**
 * STARTTLS toward the client (RFC 9051 6.2.1, RFC 2595). Nothing the client pipelined after the command may be read
 * as plaintext commands: input stays paused until the handshake is done, and the session then reads with a fresh
 * decoder (the STARTTLS injection attack, RFC 3207 5 / CVE-2011-0411).
 */
final class StartTlsUpgrade {
    private StartTlsUpgrade() {}

    static Future<Void> run(FrontSession session, NetSocket socket, ServerSSLOptions ssl, String tag) {
        session.decoder().pause();
        socket.pause();
        Promise<Void> done = Promise.promise();
        // The OK and the switch to TLS happen together on the event loop: a client that starts its handshake the moment
        // it reads the OK must find the TLS handler already in place (else its ClientHello is read as plaintext).
        socket.upgradeToSsl(ssl, Buffer.buffer(tag + " OK Begin TLS negotiation now\r\n"))
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        session.tlsStarted();
                        socket.resume();
                        done.complete();
                    } else {
                        session.log()
                                .info(
                                        "STARTTLS handshake failed: {}",
                                        ar.cause().toString());
                        session.metrics()
                                .tlsHandshakeFailed(MeterNames.LISTENER_STARTTLS, TlsFailure.reason(ar.cause()));
                        session.closeNow();
                    }
                });
        // the tagged OK was written before the handshake; the session goes on in TLS with the new decoder
        return done.future();
    }
}

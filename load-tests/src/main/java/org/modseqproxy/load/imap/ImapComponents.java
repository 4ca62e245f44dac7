package org.modseqproxy.load.imap;

import io.gatling.commons.util.Clock;
import io.gatling.core.CoreComponents;
import io.gatling.core.config.NettyConfiguration;
import io.gatling.core.protocol.ProtocolComponents;
import io.gatling.core.session.Session;
import io.gatling.core.stats.StatsEngine;
import io.gatling.netty.util.Transports;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import javax.net.ssl.SSLException;
import scala.Function1;
import scala.Option;
import scala.runtime.BoxedUnit;

/** What the IMAP actions share during one run: settings, the endpoint, Gatling's clock and stats engine. */
final class ImapComponents implements ProtocolComponents {

    final ImapProtocol protocol;
    final ImapConnection.Endpoint endpoint;
    final Clock clock;
    final StatsEngine statsEngine;

    ImapComponents(ImapProtocol protocol, CoreComponents core) {
        this.protocol = protocol;
        this.clock = core.clock();
        this.statsEngine = core.statsEngine();
        NettyConfiguration netty = core.configuration().netty();
        this.endpoint = new ImapConnection.Endpoint(
                protocol.host(),
                protocol.port(),
                protocol.security() == ImapProtocol.Security.PLAIN ? null : clientTls(protocol),
                protocol.security() == ImapProtocol.Security.STARTTLS,
                protocol.connectTimeout(),
                protocol.commandTimeout(),
                protocol.maxResponseBytes(),
                // The same transport (NIO/epoll/io_uring) as Gatling's event loops, so our channels can be registered
                // on a virtual user's own event loop.
                Transports.newSocketChannelFactory(netty.useNativeTransport(), netty.useIoUring()));
    }

    @Override
    public Function1<Session, Session> onStart() {
        return Session.Identity();
    }

    /** A virtual user that ends without LOGOUT (a KO, the end of the run) must not leak its socket. */
    @Override
    public Function1<Session, BoxedUnit> onExit() {
        return session -> {
            Option<Object> connection = session.attributes().get(ImapConnection.SESSION_KEY);
            if (connection.isDefined()) {
                ((ImapConnection) connection.get()).close();
            }
            return BoxedUnit.UNIT;
        };
    }

    /**
     * Verifying: the chain against the PEM file's certificates (or the JDK's authorities) and the host name
     * against the certificate (RFC 9525, endpoint identification as for HTTPS). Not verifying: anything goes,
     * for a self-signed test server.
     */
    static SslContext clientTls(ImapProtocol protocol) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient();
            if (!protocol.verifyCertificates()) {
                builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
            } else {
                builder.endpointIdentificationAlgorithm("HTTPS");
                if (protocol.trustedCertificates() != null) {
                    builder.trustManager(new File(protocol.trustedCertificates()));
                }
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot create the TLS client context: " + e.getMessage(), e);
        }
    }
}

package org.modseqproxy.load.imap;

import io.gatling.core.CoreComponents;
import io.gatling.core.config.GatlingConfiguration;
import io.gatling.core.protocol.Protocol;
import io.gatling.core.protocol.ProtocolKey;
import java.time.Duration;
import scala.Function1;

/**
 * The IMAP protocol settings of a simulation, as Gatling's core sees them (a Scala {@link Protocol}).
 * Built with {@link ImapProtocolBuilder}; {@code user} and {@code password} are Gatling EL strings such as
 * {@code "#{user}"}, resolved per virtual user (so a feeder can supply them).
 *
 * @param verifyCertificates with TLS: check the server's certificate chain and host name
 * @param trustedCertificates a PEM file of the certificates to trust when verifying, or null for the JDK's own
 */
public record ImapProtocol(
        String host,
        int port,
        Security security,
        boolean verifyCertificates,
        String trustedCertificates,
        Sasl login,
        String user,
        String password,
        Duration connectTimeout,
        Duration commandTimeout,
        int maxResponseBytes)
        implements Protocol {

    static final ImapProtocol DEFAULT = new ImapProtocol(
            "127.0.0.1",
            143,
            Security.PLAIN,
            false,
            null,
            Sasl.LOGIN,
            null,
            null,
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            32 * 1024 * 1024);

    /** How the connection is protected. */
    public enum Security {
        PLAIN,
        /** RFC 9051 6.2.1: plain, upgraded with STARTTLS right after the greeting. */
        STARTTLS,
        /** RFC 8314 3.2: TLS from the first byte (port 993). */
        IMPLICIT
    }

    /** How {@code login()} authenticates. */
    public enum Sasl {
        /** RFC 9051 6.2.3 LOGIN with quoted strings. */
        LOGIN,
        /** RFC 9051 6.2.2 AUTHENTICATE PLAIN (RFC 4616), the response sent after the server's "+". */
        PLAIN
    }

    /**
     * How Gatling finds our settings and builds our per-run components. Gatling indexes protocols by their
     * runtime class, so protocolClass must be exactly ImapProtocol.
     */
    static final ProtocolKey<ImapProtocol, ImapComponents> KEY = new ProtocolKey<>() {
        @Override
        @SuppressWarnings("unchecked")
        public Class<Protocol> protocolClass() {
            return (Class<Protocol>) (Class<?>) ImapProtocol.class;
        }

        @Override
        public ImapProtocol defaultProtocolValue(GatlingConfiguration configuration) {
            return DEFAULT;
        }

        @Override
        public Function1<ImapProtocol, ImapComponents> newComponents(CoreComponents core) {
            return protocol -> new ImapComponents(protocol, core);
        }
    };
}

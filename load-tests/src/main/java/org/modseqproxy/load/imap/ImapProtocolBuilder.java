package org.modseqproxy.load.imap;

import io.gatling.core.protocol.Protocol;
import io.gatling.javaapi.core.ProtocolBuilder;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Fluent, immutable builder of the IMAP protocol, passed to {@code setUp(...).protocols(...)}:
 *
 * <pre>{@code
 * ImapProtocolBuilder imap = imap().host("127.0.0.1").port(1143).credentials("#{user}", "#{password}");
 * }</pre>
 */
public final class ImapProtocolBuilder implements ProtocolBuilder {

    private String host = ImapProtocol.DEFAULT.host();
    private int port = ImapProtocol.DEFAULT.port();
    private ImapProtocol.Security security = ImapProtocol.DEFAULT.security();
    private boolean verifyCertificates;
    private String trustedCertificates;
    private ImapProtocol.Sasl login = ImapProtocol.DEFAULT.login();
    private String user;
    private String password;
    private Duration connectTimeout = ImapProtocol.DEFAULT.connectTimeout();
    private Duration commandTimeout = ImapProtocol.DEFAULT.commandTimeout();
    private int maxResponseBytes = ImapProtocol.DEFAULT.maxResponseBytes();

    ImapProtocolBuilder() {}

    public ImapProtocolBuilder host(String host) {
        return copy(b -> b.host = host);
    }

    public ImapProtocolBuilder port(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        return copy(b -> b.port = port);
    }

    /**
     * TLS from the first byte (port 993 style, RFC 8314 3.2). The server certificate is not verified unless
     * {@link #verifyCertificates()} is also given (the demo's certificate is self-signed).
     */
    public ImapProtocolBuilder implicitTls() {
        return copy(b -> b.security = ImapProtocol.Security.IMPLICIT);
    }

    /** Plain connection upgraded with STARTTLS after the greeting (RFC 9051 6.2.1), before login. */
    public ImapProtocolBuilder startTls() {
        return copy(b -> b.security = ImapProtocol.Security.STARTTLS);
    }

    /** With TLS: verify the server's certificate and host name against the JDK's trusted authorities. */
    public ImapProtocolBuilder verifyCertificates() {
        return copy(b -> b.verifyCertificates = true);
    }

    /** With TLS: verify the server's certificate and host name against the certificates of this PEM file. */
    public ImapProtocolBuilder verifyCertificates(String pemFile) {
        return copy(b -> {
            b.verifyCertificates = true;
            b.trustedCertificates = pemFile;
        });
    }

    /** {@code login()} sends AUTHENTICATE PLAIN (RFC 4616) instead of LOGIN. */
    public ImapProtocolBuilder authenticatePlain() {
        return copy(b -> b.login = ImapProtocol.Sasl.PLAIN);
    }

    /** Credentials for {@code login()}; Gatling EL allowed, e.g. {@code credentials("#{user}", "#{password}")}. */
    public ImapProtocolBuilder credentials(String user, String password) {
        return copy(b -> {
            b.user = user;
            b.password = password;
        });
    }

    public ImapProtocolBuilder connectTimeout(Duration timeout) {
        return copy(b -> b.connectTimeout = timeout);
    }

    /** How long a command may wait for its tagged completion before it is KO and the connection closed. */
    public ImapProtocolBuilder commandTimeout(Duration timeout) {
        return copy(b -> b.commandTimeout = timeout);
    }

    /** Upper bound of one response, literals included; a longer one fails the request. */
    public ImapProtocolBuilder maxResponseBytes(int bytes) {
        return copy(b -> b.maxResponseBytes = bytes);
    }

    @Override
    public Protocol protocol() {
        return new ImapProtocol(
                host,
                port,
                security,
                verifyCertificates,
                trustedCertificates,
                login,
                user,
                password,
                connectTimeout,
                commandTimeout,
                maxResponseBytes);
    }

    private ImapProtocolBuilder copy(Consumer<ImapProtocolBuilder> change) {
        ImapProtocolBuilder b = new ImapProtocolBuilder();
        b.host = host;
        b.port = port;
        b.security = security;
        b.verifyCertificates = verifyCertificates;
        b.trustedCertificates = trustedCertificates;
        b.login = login;
        b.user = user;
        b.password = password;
        b.connectTimeout = connectTimeout;
        b.commandTimeout = commandTimeout;
        b.maxResponseBytes = maxResponseBytes;
        change.accept(b);
        return b;
    }
}

package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The messages are those the JDK 17/25 and Netty 4.2 give for the failures an operator sees. */
class TlsFailureTest {

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of(new DecoderException(new NotSslRecordException("not an SSL/TLS record: 6131")), "not_tls"),
                Arguments.of(new SSLHandshakeException("Received fatal alert: certificate_unknown"), "certificate"),
                Arguments.of(new SSLHandshakeException("Received fatal alert: bad_certificate"), "certificate"),
                Arguments.of(new SSLHandshakeException("Received fatal alert: unknown_ca"), "certificate"),
                Arguments.of(new SSLHandshakeException("Received fatal alert: protocol_version"), "protocol"),
                Arguments.of(new SSLHandshakeException("no cipher suites in common"), "protocol"),
                Arguments.of(new SSLHandshakeException("Received fatal alert: handshake_failure"), "protocol"),
                Arguments.of(new SSLHandshakeException("Unsupported or unrecognized SSL message"), "not_tls"),
                Arguments.of(new SslHandshakeTimeoutException("handshake timed out after 10000ms"), "timeout"),
                Arguments.of(new ClosedChannelException(), "closed"),
                Arguments.of(new IOException("Connection reset by peer"), "closed"),
                Arguments.of(new SSLException("Connection closed by peer"), "closed"),
                Arguments.of(new IllegalStateException("something else"), "other"),
                Arguments.of(null, "other"));
    }

    @ParameterizedTest
    @MethodSource("rows")
    void classifies(Throwable failure, String reason) {
        assertThat(TlsFailure.reason(failure)).isEqualTo(reason);
    }
}

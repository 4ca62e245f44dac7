package org.modseqproxy.proxy.session;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.modseqproxy.metrics.MeterNames;

/**
 * Why a client's TLS handshake failed, as the label of {@code modseq_tls_handshake_failures_total}: a few stable
 * words an operator can alert on, from the exception chain Netty and the JDK hand us (their messages carry the TLS
 * alert names of RFC 8446 6.2).
 */
final class TlsFailure {
    private TlsFailure() {}

    static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof NotSslRecordException) {
                return MeterNames.TLS_NOT_TLS; // plaintext on the TLS port, or after STARTTLS
            }
            if (t instanceof SslHandshakeTimeoutException) {
                return MeterNames.TLS_TIMEOUT;
            }
            if (t instanceof ClosedChannelException) {
                return MeterNames.TLS_CLOSED;
            }
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (t instanceof SSLException) {
                if (m.contains("certificate") || m.contains("unknown_ca") || m.contains("unknown ca")) {
                    return MeterNames.TLS_CERTIFICATE; // the client refused our certificate (bad_certificate, ...)
                }
                if (m.contains("protocol") || m.contains("cipher") || m.contains("handshake_failure")) {
                    return MeterNames.TLS_PROTOCOL; // no common version or cipher suite
                }
                if (m.contains("unrecognized ssl message") || m.contains("plaintext")) {
                    return MeterNames.TLS_NOT_TLS;
                }
                if (m.contains("closed") || m.contains("end of stream")) {
                    return MeterNames.TLS_CLOSED;
                }
            } else if (t instanceof IOException && (m.contains("reset") || m.contains("closed"))) {
                return MeterNames.TLS_CLOSED;
            }
        }
        return MeterNames.TLS_OTHER;
    }
}

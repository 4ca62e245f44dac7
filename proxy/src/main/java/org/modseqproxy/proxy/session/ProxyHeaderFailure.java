package org.modseqproxy.proxy.session;

import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import org.modseqproxy.metrics.MeterNames;

/** What a failure before the session tells about the PROXY protocol header (HAProxy's proxy-protocol.txt). */
final class ProxyHeaderFailure {
    private ProxyHeaderFailure() {}

    /** {@code invalid} when the header is what failed; null for anything else (TLS, I/O). */
    static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HAProxyProtocolException) {
                return MeterNames.PROXY_INVALID;
            }
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("proxy protocol") || m.contains("unsupported protocol")) {
                return MeterNames.PROXY_INVALID;
            }
        }
        return null;
    }

    /** The peer as an address a subnet can be matched against; a numeric host is never looked up in DNS. */
    static InetSocketAddress inet(SocketAddress a) {
        if (a == null || a.hostAddress() == null) {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(a.hostAddress()), a.port());
        } catch (UnknownHostException e) {
            return null;
        }
    }
}

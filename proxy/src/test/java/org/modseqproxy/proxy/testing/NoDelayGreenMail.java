package org.modseqproxy.proxy.testing;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.imap.ImapHandler;
import com.icegreen.greenmail.server.AbstractServer;
import com.icegreen.greenmail.server.ProtocolHandler;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.net.Socket;
import java.net.SocketException;
import java.util.HashMap;
import java.util.Map;

/**
 * GreenMail whose IMAP sockets have TCP_NODELAY, as production IMAP servers set it. GreenMail writes a multi-line
 * response in several small writes; without NODELAY, Nagle's algorithm holds each later write until the peer's
 * delayed ACK (about 40 ms on Linux), so every multi-line answer costs 40 ms. Randomized tests with thousands of
 * round trips, and benchmarks, would measure that stall instead of the proxy. IMAP only;
 * {@link GreenMail#getImap()} does not work on this instance (use {@link #imapPort()}).
 */
final class NoDelayGreenMail extends GreenMail {
    NoDelayGreenMail(ServerSetup imap) {
        super(imap);
    }

    @Override
    protected Map<String, AbstractServer> createServices(ServerSetup[] config, Managers managers) {
        Map<String, AbstractServer> services = new HashMap<>();
        for (ServerSetup setup : config) {
            if (!ServerSetup.PROTOCOL_IMAP.equals(setup.getProtocol())) {
                throw new IllegalArgumentException(
                        "NoDelayGreenMail serves plain IMAP only, not " + setup.getProtocol());
            }
            services.put(setup.getProtocol(), new Server(setup, managers));
        }
        return services;
    }

    int imapPort() {
        return services.get(ServerSetup.PROTOCOL_IMAP).getPort();
    }

    /** GreenMail's own IMAP handler, on a socket with TCP_NODELAY. */
    private static final class Server extends AbstractServer {
        Server(ServerSetup setup, Managers managers) {
            super(setup, managers);
        }

        @Override
        protected ProtocolHandler createProtocolHandler(Socket socket) {
            try {
                socket.setTcpNoDelay(true);
            } catch (SocketException e) {
                // the client is gone already; the handler will notice
            }
            return new ImapHandler(managers.getUserManager(), managers.getImapHostManager(), socket);
        }
    }
}

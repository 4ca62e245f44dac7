package org.modseqproxy.proxy.launcher;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.imap.ImapHandler;
import com.icegreen.greenmail.imap.ImapRequestHandler;
import com.icegreen.greenmail.imap.ImapResponse;
import com.icegreen.greenmail.server.AbstractServer;
import com.icegreen.greenmail.server.ProtocolHandler;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;

/**
 * GreenMail's IMAP server with the session bookkeeping done by {@link SteadySession}, for the demo and the tests that
 * run many sessions on one mailbox (issue 13: "the demo's embedded backend breaks under ordinary use").
 *
 * <p>GreenMail 2.1 keeps each session's pending changes in a folder object that other sessions' threads write to while
 * the session's own thread reads them in three unsynchronised steps; when a STORE of another session lands between
 * them it throws "Need to do this properly..." and drops the connection (one in about 1,400 Gatling requests against
 * the demo). It also never unregisters a session's folder when the connection ends, so every closed session keeps
 * receiving every change of the mailbox for the life of the process, and deleting that mailbox later calls the dead
 * connection (a NullPointerException). Its connection loop ignores the end of the stream, so a client that closes
 * without LOGOUT leaves the session's thread spinning for good. Commands, parsing and the store stay GreenMail's; only
 * the per-session state and the connection loop are ours.
 */
public final class SteadyGreenMail extends GreenMail {
    /**
     * RFC 9051 5.4: an autologout timer must be at least 30 minutes (GreenMail's default read timeout is 30 seconds,
     * which drops an idle but healthy session, IDLE included).
     */
    static final int AUTOLOGOUT_MILLIS = 30 * 60 * 1000;

    public SteadyGreenMail(ServerSetup imap) {
        super(new ServerSetup[] {imap});
    }

    /** Called from GreenMail's constructor and on every start: only IMAP is served, by {@link SteadyImapServer}. */
    @Override
    protected Map<String, AbstractServer> createServices(ServerSetup[] config, Managers managers) {
        if (config.length != 1 || !ServerSetup.PROTOCOL_IMAP.equals(config[0].getProtocol())) {
            throw new IllegalArgumentException("SteadyGreenMail serves plain IMAP only");
        }
        return Map.of(ServerSetup.PROTOCOL_IMAP, new SteadyImapServer(config[0], managers));
    }

    /** The bound port (GreenMail's own {@code getImap()} expects its final ImapServer class). */
    public int imapPort() {
        return services.get(ServerSetup.PROTOCOL_IMAP).getPort();
    }

    static final class SteadyImapServer extends AbstractServer {
        SteadyImapServer(ServerSetup setup, Managers managers) {
            super(setup, managers);
            setClientSocketTimeout(AUTOLOGOUT_MILLIS);
        }

        /**
         * GreenMail flushes every response line on its own; without TCP_NODELAY the second line of each answer waits
         * for the peer's delayed ACK (about 40 ms a command on Linux).
         */
        @Override
        protected ProtocolHandler createProtocolHandler(Socket clientSocket) {
            try {
                clientSocket.setTcpNoDelay(true);
            } catch (SocketException e) {
                log.debug("TCP_NODELAY not set: {}", e.toString());
            }
            return new SteadyImapHandler(managers, clientSocket);
        }
    }

    /**
     * One connection: greeting, then GreenMail's request handler until LOGOUT or EOF, with a {@link SteadySession}
     * that leaves its mailbox when the connection ends, however it ends.
     */
    static final class SteadyImapHandler extends ImapHandler {
        private final Managers managers;
        private final Object writeLock = new Object();
        private volatile ImapResponse out;
        private volatile SteadySession session;

        SteadyImapHandler(Managers managers, Socket socket) {
            super(managers.getUserManager(), managers.getImapHostManager(), socket);
            this.managers = managers;
        }

        @Override
        public void run() {
            ImapRequestHandler requests = new ImapRequestHandler();
            try (InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
                    OutputStream os = new BufferedOutputStream(socket.getOutputStream(), 8192)) {
                out = new ImapResponse(os);
                out.okResponse(null, "IMAP4rev1 Server GreenMail ready");
                session = new SteadySession(
                        managers.getImapHostManager(),
                        managers.getUserManager(),
                        this,
                        socket.getInetAddress().getHostAddress());
                while (!isQuitting() && requests.handleRequest(in, os, session)) {
                    // one command per turn; GreenMail writes the answers itself
                }
            } catch (Exception e) {
                if (!isQuitting()) {
                    log.debug("IMAP connection ended: {}", e.toString());
                }
            } finally {
                close();
            }
        }

        /** Another session deleted the mailbox this one has selected (GreenMail calls this from that thread). */
        @Override
        public void forceConnectionClose(String message) {
            ImapResponse response = out;
            if (response != null && !isQuitting()) {
                synchronized (writeLock) {
                    try {
                        response.byeResponse(message);
                    } catch (RuntimeException alreadyGone) {
                        // the socket closed under us: nothing left to tell
                    }
                }
            }
            close();
        }

        @Override
        public void close() {
            super.close();
            SteadySession s = session;
            if (s != null) {
                s.deselect();
            }
        }
    }
}

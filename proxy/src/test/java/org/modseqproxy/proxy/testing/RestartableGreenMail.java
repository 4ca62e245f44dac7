package org.modseqproxy.proxy.testing;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * GreenMail that can be restarted like a real IMAP server with a persistent store: {@link #restart()} closes every
 * connection and the listening socket, then listens again on the same port with the same mailboxes, UIDs and
 * UIDVALIDITY (plain {@link GreenMail#stop()} would throw the mail away).
 */
public final class RestartableGreenMail extends GreenMail implements AutoCloseable {

    private RestartableGreenMail(ServerSetup setup) {
        super(setup);
    }

    public static RestartableGreenMail launch() {
        RestartableGreenMail g =
                new RestartableGreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP).dynamicPort());
        g.start();
        return g;
    }

    public int port() {
        return getImap().getPort();
    }

    public GreenMailUser user(String name, String password) {
        return setUser(name + "@localhost", name, password);
    }

    /** Stops listening and drops every session (clients see the connection close). Mail is kept. */
    public synchronized void down() {
        int port = port();
        Managers keep = managers;
        super.stop(); // replaces the managers with empty ones: put ours back
        managers = keep;
        config = new ServerSetup[] {new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_IMAP)};
    }

    /** Listens again on the same port with the same mail. */
    public synchronized void up() {
        super.start();
    }

    public void restart() {
        down();
        up();
    }

    /** As {@link GreenMailBackend#userWithMessages}. */
    public GreenMailUser userWithMessages(String name, String password, int count) {
        GreenMailUser user = user(name, password);
        GreenMailBackend.deliverNumbered(user, count);
        return user;
    }

    /** Delivers a small text message, as an MTA would (bypassing every proxy). */
    public void deliver(GreenMailUser user, String subject, String body) {
        GreenMailBackend.deliverText(user, subject, body);
    }

    @Override
    public void close() {
        if (isRunning()) {
            super.stop();
        }
    }
}

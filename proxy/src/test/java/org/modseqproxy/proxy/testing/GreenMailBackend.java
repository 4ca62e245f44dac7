package org.modseqproxy.proxy.testing;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import org.modseqproxy.proxy.launcher.SteadyGreenMail;

/** GreenMail IMAP (no CONDSTORE) on a free loopback port: the fast legacy backend of the test suite. */
public final class GreenMailBackend implements AutoCloseable {
    private final GreenMail greenMail;

    public GreenMailBackend() {
        this(false);
    }

    /**
     * {@code -Dmodseq.greenmail.steady=true} runs every test against the demo's {@link SteadyGreenMail} instead (no
     * dropped sessions, faithful pushes, TCP_NODELAY): it reproduces TwoInstancesConcurrencyTest's open defect on
     * every run (see issue 9), which plain GreenMail's slower, lossier pushes hide.
     */
    static final boolean STEADY = Boolean.getBoolean("modseq.greenmail.steady");

    private GreenMailBackend(boolean noDelay) {
        this(STEADY, noDelay);
    }

    private GreenMailBackend(boolean steady, boolean noDelay) {
        ServerSetup setup = new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP).dynamicPort();
        greenMail = steady ? new SteadyGreenMail(setup) : noDelay ? new NoDelayGreenMail(setup) : new GreenMail(setup);
        greenMail.start();
    }

    /**
     * The demo's {@link SteadyGreenMail}, whatever {@code modseq.greenmail.steady} says: for long runs with careless
     * clients. Stock GreenMail 2.1.5's connection loop ignores the end of the stream, so every backend connection that
     * closes without LOGOUT leaves its thread spinning for the life of the server (the soak had 75 such threads
     * after 25 minutes, two cores busy with them, and LOGINs failing from its 39th minute).
     */
    public static GreenMailBackend steady() {
        return new GreenMailBackend(true, true);
    }

    /**
     * GreenMail with TCP_NODELAY on its IMAP sockets (see {@link NoDelayGreenMail}): multi-line answers without the
     * 40 ms Nagle/delayed-ACK stall. For tests that make thousands of round trips, and for benchmarks.
     */
    public static GreenMailBackend withNoDelay() {
        return new GreenMailBackend(true);
    }

    public GreenMailUser user(String name, String password) {
        return greenMail.setUser(name + "@localhost", name, password);
    }

    /** A user whose INBOX holds {@code count} messages "m1".."mN" with bodies "body 1".."body N". */
    public GreenMailUser userWithMessages(String name, String password, int count) {
        GreenMailUser user = user(name, password);
        deliverNumbered(user, count);
        return user;
    }

    /** Delivers a small text message into the user's INBOX, as an MTA would (bypassing the proxy). */
    public void deliver(GreenMailUser user, String subject, String body) {
        deliverText(user, subject, body);
    }

    static void deliverNumbered(GreenMailUser user, int count) {
        for (int i = 1; i <= count; i++) {
            deliverText(user, "m" + i, "body " + i);
        }
    }

    static void deliverText(GreenMailUser user, String subject, String body) {
        try {
            jakarta.mail.internet.MimeMessage m =
                    new jakarta.mail.internet.MimeMessage(jakarta.mail.Session.getInstance(new java.util.Properties()));
            m.setFrom("sender@example.org");
            m.setRecipients(jakarta.mail.Message.RecipientType.TO, user.getEmail());
            m.setSubject(subject);
            m.setText(body);
            m.saveChanges();
            user.deliver(m);
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * GreenMail flushes every response line separately on sockets without TCP_NODELAY, so the second line of any
     * multi-line response (an untagged FETCH, then the tagged OK) waits for the peer's delayed ACK: about 40 ms per
     * command on Linux, whoever the client is. Benchmarks call this once their connections are open to take that
     * artifact out. GreenMail has no option for it, so its open client sockets are reached by reflection (test code
     * only). Returns how many sockets were changed.
     */
    public int disableNagleOnOpenConnections() {
        if (greenMail instanceof SteadyGreenMail) {
            return 0; // its sockets have TCP_NODELAY from the start
        }
        try {
            java.lang.reflect.Field handlersField =
                    com.icegreen.greenmail.server.AbstractServer.class.getDeclaredField("handlers");
            handlersField.setAccessible(true);
            java.lang.reflect.Field socketField =
                    com.icegreen.greenmail.server.AbstractSocketProtocolHandler.class.getDeclaredField("socket");
            socketField.setAccessible(true);
            java.util.List<?> handlers = (java.util.List<?>) handlersField.get(greenMail.getImap());
            java.util.List<Object> copy;
            synchronized (handlers) {
                copy = new java.util.ArrayList<>(handlers);
            }
            int changed = 0;
            for (Object h : copy) {
                java.net.Socket s = (java.net.Socket) socketField.get(h);
                if (!s.isClosed()) {
                    s.setTcpNoDelay(true);
                    changed++;
                }
            }
            return changed;
        } catch (ReflectiveOperationException | java.io.IOException e) {
            throw new IllegalStateException("cannot reach GreenMail's client sockets", e);
        }
    }

    public int port() {
        if (greenMail instanceof SteadyGreenMail steady) {
            return steady.imapPort();
        }
        return greenMail instanceof NoDelayGreenMail nd
                ? nd.imapPort()
                : greenMail.getImap().getPort();
    }

    public GreenMail greenMail() {
        return greenMail;
    }

    @Override
    public void close() {
        greenMail.stop();
    }
}

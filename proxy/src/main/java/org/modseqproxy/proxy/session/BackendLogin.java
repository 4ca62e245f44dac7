package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Optional;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.ImapEncoder;
import org.modseqproxy.proxy.command.Capabilities;
import org.modseqproxy.proxy.command.Command;
import org.modseqproxy.proxy.command.ImapException;
import org.modseqproxy.proxy.sync.BackendListener;

/**
 * LOGIN/AUTHENTICATE toward the backend (RFC 9051 6.2): connect, wire the connection into the session (its pushes
 * through the funnel, its bytes metered), forward the client's address and ID (RFC 2971), log in, and take the
 * backend's capabilities. A client that leaves meanwhile takes the backend connection with it.
 */
final class BackendLogin {
    private final FrontSession session;
    private final ProxyRuntime rt;
    private final BackendRoute route;

    BackendLogin(FrontSession session, ProxyRuntime rt, BackendRoute route) {
        this.session = session;
        this.rt = rt;
        this.route = route;
    }

    Future<Void> run(Command command, String user, String password) {
        return open().compose(
                        conn -> login(conn, user, password).compose(tagged -> verdict(conn, command, user, tagged)));
    }

    /** Connects, wires the connection into the session and sends the client's ID: ready for LOGIN or AUTHENTICATE. */
    Future<BackendConnection> open() {
        return BackendHandshake.connect(
                        rt.vertx(), route.client(), route.config(), route.ssl(), session::onBackendFailure)
                .compose(
                        conn -> {
                            if (session.isClosed()) {
                                return clientLeft(conn);
                            }
                            // what it offers before login (its AUTH= mechanisms) is what the next greetings offer
                            route.health().preLoginCapabilities(conn.capabilities());
                            wire(conn);
                            return sendIdBeforeLogin(conn).map(v -> conn);
                        },
                        this::unreachable);
    }

    /** The backend's answer to LOGIN or AUTHENTICATE: counted, then the session is logged in or the client told no. */
    Future<Void> verdict(BackendConnection conn, Command command, String user, Frame tagged) {
        boolean ok = "OK".equals(tagged.keyword());
        rt.metrics().loginResult(route.name(), ok);
        return ok ? loggedIn(conn, command, user, tagged) : refused(conn, tagged);
    }

    private void wire(BackendConnection conn) {
        session.attach(conn);
        conn.log(session.log());
        route.health().connected();
        conn.meterBytes(
                n -> rt.metrics().bytes("backend_in", n), n -> rt.metrics().bytes("backend_out", n));
        // EXPUNGEs of one command become one VANISHED at its end; pushed ones (IDLE, between commands) go at once.
        conn.afterRead(() -> {
            if (!conn.outstanding() || conn.idling()) {
                session.sync().lines().flushVanished();
            }
        });
        conn.unsolicited(new BackendListener() {
            @Override
            public void untagged(Frame frame) {
                session.relayUntagged(frame);
            }

            @Override
            public void tagged(Frame frame) {}
        });
    }

    private Future<Void> refused(BackendConnection conn, Frame tagged) {
        session.attach(null);
        conn.close();
        // Relay the backend's verdict and text (RFC 9051 6.2.3); never the credentials.
        String code = tagged.code().map(c -> c.name()).orElse("AUTHENTICATIONFAILED");
        return session.logins().failed(ImapException.no(code, tagged.text()));
    }

    private Future<Void> loggedIn(BackendConnection conn, Command command, String user, Frame tagged) {
        Optional<List<String>> inAnswer = Capabilities.in(tagged);
        inAnswer.ifPresent(conn::capabilities);
        Future<List<String>> caps =
                inAnswer.isPresent() ? Future.succeededFuture(conn.capabilities()) : conn.refreshCapabilities();
        if (session.isClosed()) {
            return clientLeft(conn);
        }
        if (!session.logins().promote()) {
            conn.close();
            session.attach(null);
            session.closeAfterWrite();
            return Future.failedFuture(ImapException.no("LIMIT", "Too many sessions, try again later")); // RFC 5530
        }
        return caps.compose(c -> {
                    session.authenticated(user, route, c);
                    return replayClientId(conn);
                })
                .map(v -> {
                    String advertised = String.join(" ", session.caps().postLogin());
                    session.writeLine(command.tag() + " OK [CAPABILITY " + advertised + "] Logged in");
                    return (Void) null;
                });
    }

    private <T> Future<T> unreachable(Throwable err) {
        if (err instanceof BackendException be) {
            rt.metrics().backendConnectFailed(route.name(), be.getMessage());
            if (!session.isClosed()) {
                route.health().failed(rt.vertx(), route.client(), be.getMessage());
            }
            // RFC 5530: the login failed for a reason that is not the client's credentials. The reason (an internal
            // address, a resolver error) is the operator's business: it is logged, the client hears a generic text.
            return Future.failedFuture(ImapException.no("UNAVAILABLE", "Backend unavailable, try again later"));
        }
        return Future.failedFuture(err);
    }

    /**
     * The client left while its login was in flight (connecting or LOGIN outstanding): release() may have run before
     * the backend connection existed, so it is closed here; it must not outlive the client (issue 10: vanished clients
     * left logged-in backend sessions behind forever).
     */
    private static <T> Future<T> clientLeft(BackendConnection conn) {
        conn.close();
        return Future.failedFuture(new BackendException("client closed the connection during login"));
    }

    private static Future<Frame> login(BackendConnection conn, String user, String password) {
        Promise<Frame> done = Promise.promise();
        String args = ImapEncoder.astring(user) + " " + ImapEncoder.astring(password);
        conn.send(Buffer.buffer("LOGIN " + args + "\r\n", "UTF-8"), new BackendListener() {
            @Override
            public void untagged(Frame frame) {
                // Untagged CAPABILITY during login: remember it; nothing else matters before authentication.
                Capabilities.in(frame).ifPresent(conn::capabilities);
            }

            @Override
            public void tagged(Frame frame) {
                done.tryComplete(frame);
            }
        });
        return done.future();
    }

    /** With forwarding on, the backend learns the client's address before LOGIN, as Dovecot's proxy does (RFC 2971). */
    private Future<Void> sendIdBeforeLogin(BackendConnection conn) {
        if (!rt.config().id().forwardClientAddress() || !conn.has("ID")) {
            return Future.succeededFuture();
        }
        return conn.run("ID " + session.clientId().list(List.of())).mapEmpty();
    }

    /** Replays an ID the client sent before login, now that the backend can take it. */
    private Future<Void> replayClientId(BackendConnection conn) {
        if (session.clientId().remembered().isEmpty() || !conn.has("ID")) {
            return Future.succeededFuture();
        }
        return conn.run("ID " + session.clientId().list(session.clientId().remembered()))
                .mapEmpty();
    }
}

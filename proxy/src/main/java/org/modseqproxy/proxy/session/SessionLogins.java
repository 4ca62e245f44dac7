package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.modseqproxy.proxy.command.Capabilities;
import org.modseqproxy.proxy.command.Command;
import org.modseqproxy.proxy.command.ImapException;
import org.modseqproxy.proxy.command.Logins;
import org.modseqproxy.proxy.command.SaslIdentity;

/**
 * How one session's LOGIN or AUTHENTICATE reaches a store: routing picks the store by the authentication identity
 * (routing.*), then BackendLogin logs in with the client's credentials (LOGIN, PLAIN) or SaslRelay relays the
 * mechanism (auth.relay). A user routed nowhere hears what a wrong password gets.
 */
final class SessionLogins implements Logins {
    private final FrontSession session;
    private final ProxyRuntime rt;
    private final LoginFailures failures;
    /** Counted in the logged-in pool (limits.maxSessions) instead of the pre-login one. */
    private boolean promoted;

    SessionLogins(FrontSession session, ProxyRuntime rt) {
        this.session = session;
        this.rt = rt;
        this.failures = new LoginFailures(rt, session::closeAfterWrite);
    }

    /** A failed LOGIN/AUTHENTICATE (see {@link LoginFailures}). */
    Future<Void> failed(ImapException no) {
        return failures.failed(no);
    }

    /** Moves the session into the logged-in pool (limits.maxSessions); false when it is full. */
    boolean promote() {
        promoted = rt.promote(session);
        return promoted;
    }

    boolean promoted() {
        return promoted;
    }

    @Override
    public Future<Void> login(Command command, String user, String password) {
        return routeFor(user)
                .compose(route -> route == null
                        ? failed(unknownUser())
                        : new BackendLogin(session, rt, route).run(command, user, password));
    }

    @Override
    public Future<Void> relayAuthenticate(Command command, String mechanism, String initialResponse) {
        // The store is chosen by the user, so the first response is needed before a store is: without SASL-IR the
        // proxy asks for it itself, as the store would (RFC 9051 6.2.2; LOGIN's first challenge is "Username:").
        Future<String> first = initialResponse != null
                ? Future.succeededFuture(initialResponse)
                : session.challenge(mechanism.equals("LOGIN") ? "VXNlcm5hbWU6" : "")
                        .map(b -> b.toString(StandardCharsets.US_ASCII).trim());
        return first.compose(ir -> {
            if (ir.equals("*")) {
                return Future.failedFuture(ImapException.bad("Authentication cancelled"));
            }
            String user = SaslIdentity.user(mechanism, ir).orElse(null);
            // nobody named: SaslRelay refuses it before connecting anywhere
            Future<BackendRoute> route = user == null ? Future.succeededFuture(rt.defaultRoute()) : routeFor(user);
            return route.compose(r -> r == null
                    ? failed(unknownUser())
                    : new SaslRelay(session, new BackendLogin(session, rt, r)).run(command, mechanism, ir));
        });
    }

    /** auth.relay's mechanisms that every store offered when last seen, in config order. */
    @Override
    public List<String> relayedMechanisms() {
        return rt.config().auth().relay().stream()
                .filter(m -> rt.allRoutes().stream()
                        .allMatch(r -> Capabilities.has(r.health().preLoginCapabilities(), "AUTH=" + m)))
                .toList();
    }

    /** Where routing sends this user (null: nowhere); the session's mod-sequence state follows the store. */
    private Future<BackendRoute> routeFor(String user) {
        return rt.routing()
                .route(user)
                .recover(e -> {
                    session.log().warn("routing lookup failed: {}", e.toString());
                    // RFC 5530: not the credentials' fault; try again later
                    return Future.failedFuture(ImapException.no("UNAVAILABLE", "Try again later"));
                })
                .map(name -> {
                    BackendRoute route = rt.route(name);
                    if (route != null) {
                        session.routedTo(route);
                    }
                    return route;
                });
    }

    /** Never a hint that routing exists. */
    private static ImapException unknownUser() {
        return ImapException.no("AUTHENTICATIONFAILED", "Authentication failed.");
    }
}

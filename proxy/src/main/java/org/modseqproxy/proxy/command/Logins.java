package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import java.util.List;

/** How a session logs in (LOGIN, AUTHENTICATE): only the shell can reach the backend before authentication. */
public interface Logins {
    /** Logs in to the backend (routed per user) with these credentials; fails with the tagged answer to send. */
    Future<Void> login(Command command, String user, String password);

    /**
     * AUTHENTICATE with a mechanism the backend runs itself (ProxyConfig.Auth.RELAYABLE): sent on with its initial response
     * (null when none), challenges and responses relayed verbatim, the backend's verdict relayed.
     */
    Future<Void> relayAuthenticate(Command command, String mechanism, String initialResponse);

    /** The relayed mechanisms offered now (auth.relay, as far as the backend offers them). */
    List<String> relayedMechanisms();
}

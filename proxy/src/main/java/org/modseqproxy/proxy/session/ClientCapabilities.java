package org.modseqproxy.proxy.session;

import java.util.List;
import org.modseqproxy.proxy.command.Capabilities;

/**
 * What CAPABILITY says to one client (RFC 9051 7.2.2): before login the proxy's own list, from its TLS and SASL
 * settings; after login the backend's list as last announced, edited ({@link Capabilities#postLogin}).
 */
final class ClientCapabilities {
    private final ProxyRuntime rt;
    private final boolean implicitTls;
    private List<String> postLogin = List.of();

    ClientCapabilities(ProxyRuntime rt, boolean implicitTls) {
        this.rt = rt;
        this.implicitTls = implicitTls;
    }

    /** RFC 9051 6.2.1 and 7.2.2: STARTTLS only where it can still be used, LOGIN only where it is allowed. */
    List<String> preLogin(boolean tlsActive, List<String> relayedMechanisms) {
        return Capabilities.preLogin(
                tlsActive,
                rt.serverSsl() != null && !implicitTls,
                rt.config().tls().loginRequiresTls(),
                relayedMechanisms);
    }

    List<String> postLogin() {
        return postLogin;
    }

    /** The backend's capabilities as this client sees them. */
    List<String> edited(List<String> backendCaps) {
        return Capabilities.postLogin(backendCaps, rt.config().compress().deflate());
    }

    /** The backend announced its capabilities (at login, or anew later): the client sees them edited from now on. */
    void backendAnnounced(List<String> backendCaps) {
        postLogin = edited(backendCaps);
    }
}

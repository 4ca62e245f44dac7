package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.modseqproxy.proxy.codec.Token;

/**
 * RFC 9051 6.2.2 with the initial response of SASL-IR (RFC 4959). PLAIN (RFC 4616) the proxy decodes and logs in with
 * itself; LOGIN, XOAUTH2 and OAUTHBEARER (RFC 7628) go to the backend as they are (see SaslIdentity).
 */
final class Authenticate {
    private Authenticate() {}

    static Future<Void> handle(Command cmd, Session s) {
        if (s.capabilities().contains("LOGINDISABLED")) {
            return Future.failedFuture(
                    ImapException.no("PRIVACYREQUIRED", "Authentication is disabled before STARTTLS"));
        }
        List<Token> args = cmd.args();
        if (args.isEmpty() || args.size() > 2 || args.get(0).stringValue() == null) {
            return Future.failedFuture(ImapException.bad("AUTHENTICATE expects a mechanism"));
        }
        String mechanism = args.get(0).stringValue().toUpperCase(Locale.ROOT);
        if (s.logins().relayedMechanisms().contains(mechanism)) {
            // RFC 4959 3: "=" is an empty initial response; relayed as it came
            return s.logins()
                    .relayAuthenticate(
                            cmd, mechanism, args.size() == 2 ? args.get(1).stringValue() : null);
        }
        if (!"PLAIN".equals(mechanism)) {
            return Future.failedFuture(ImapException.no("CANNOT", "Unsupported authentication mechanism"));
        }
        Future<String> response = args.size() == 2
                ? Future.succeededFuture(args.get(1).stringValue())
                : s.challenge("").map(b -> b.toString(StandardCharsets.US_ASCII).trim());
        return response.compose(r -> {
            if (r == null || r.equals("*")) {
                // RFC 9051 6.2.2: the client cancels with "*".
                return Future.failedFuture(ImapException.bad("Authentication cancelled"));
            }
            byte[] decoded;
            try {
                // RFC 4959 3: "=" is an empty initial response.
                decoded = r.equals("=") ? new byte[0] : Base64.getDecoder().decode(r);
            } catch (IllegalArgumentException e) {
                return Future.failedFuture(ImapException.bad("Invalid base64"));
            }
            String[] parts = new String(decoded, StandardCharsets.UTF_8).split("\0", -1);
            if (parts.length != 3 || parts[1].isEmpty()) {
                return Future.failedFuture(ImapException.bad("Malformed PLAIN response"));
            }
            if (!parts[0].isEmpty() && !parts[0].equals(parts[1])) {
                return Future.failedFuture(
                        ImapException.no("AUTHORIZATIONFAILED", "Proxy authorization is not supported"));
            }
            return s.logins().login(cmd, parts[1], parts[2]);
        });
    }
}

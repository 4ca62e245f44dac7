package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import java.util.List;
import org.modseqproxy.proxy.codec.Token;

/** RFC 9051 6.2.3: the proxy logs into the backend with the client's credentials and relays the verdict. */
final class Login {
    private Login() {}

    static Future<Void> handle(Command cmd, Session s) {
        if (s.capabilities().contains("LOGINDISABLED")) {
            return Future.failedFuture(ImapException.no("PRIVACYREQUIRED", "LOGIN is disabled before STARTTLS"));
        }
        List<Token> args = cmd.args();
        if (args.size() != 2 || args.get(0).stringValue() == null || args.get(1).stringValue() == null) {
            return Future.failedFuture(ImapException.bad("LOGIN expects user name and password"));
        }
        String user = args.get(0).stringValue();
        String password = args.get(1).stringValue();
        if (user.indexOf('\0') >= 0 || password.indexOf('\0') >= 0) {
            // RFC 9051 4.3: a literal holds CHAR8, which excludes NUL; never forwarded to the backend.
            return Future.failedFuture(ImapException.bad("NUL is not allowed in a literal"));
        }
        return s.logins().login(cmd, user, password);
    }
}

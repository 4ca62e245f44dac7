package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** RFC 9051 6.1.3: BYE, then the tagged OK, then close; the backend connection is logged out by the session. */
final class Logout {
    private Logout() {}

    static Future<Void> handle(Command cmd, Session s) {
        s.writeLine("* BYE Logging out");
        s.tagged(cmd.tag(), "OK LOGOUT completed");
        s.closeAfterWrite();
        return Future.succeededFuture();
    }
}

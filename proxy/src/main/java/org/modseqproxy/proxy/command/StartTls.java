package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** RFC 9051 6.2.1 / RFC 2595: the session writes the tagged OK itself, before the handshake. */
final class StartTls {
    private StartTls() {}

    static Future<Void> handle(Command cmd, Session s) {
        if (!cmd.args().isEmpty()) {
            return Future.failedFuture(ImapException.bad("STARTTLS takes no arguments"));
        }
        return s.startTls(cmd);
    }
}

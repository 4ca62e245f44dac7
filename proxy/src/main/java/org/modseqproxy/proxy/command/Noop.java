package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** RFC 9051 6.1.2: before login answered locally; after it forwarded, so pending backend changes reach the client. */
final class Noop {
    private Noop() {}

    static Future<Void> handle(Command cmd, Session s) {
        if (s.state() == SessionState.NOT_AUTHENTICATED) {
            s.tagged(cmd.tag(), "OK NOOP completed");
            return Future.succeededFuture();
        }
        return PassThrough.handle(cmd, s);
    }
}

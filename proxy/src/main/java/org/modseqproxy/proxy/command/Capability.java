package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** RFC 9051 6.1.1: answered by the proxy from its edited list, before and after login alike. */
final class Capability {
    private Capability() {}

    static Future<Void> handle(Command cmd, Session s) {
        s.writeLine("* CAPABILITY " + String.join(" ", s.capabilities()));
        s.tagged(cmd.tag(), "OK CAPABILITY completed");
        return Future.succeededFuture();
    }
}

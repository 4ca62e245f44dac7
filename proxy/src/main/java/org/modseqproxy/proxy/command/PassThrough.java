package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** Everything the proxy does not rewrite: forwarded as written; the sync funnel finishes it (RFC 7162 3.1.4, 3.2.10). */
final class PassThrough {
    private PassThrough() {}

    static Future<Void> handle(Command cmd, Session s) {
        return s.forward(cmd).compose(tagged -> s.sync().finish(cmd.tag(), tagged));
    }
}

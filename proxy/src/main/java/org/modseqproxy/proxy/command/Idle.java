package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** RFC 2177: relayed; unsolicited changes reach the client through the sync funnel with their mod-sequences. */
final class Idle {
    private Idle() {}

    static Future<Void> handle(Command cmd, Session s) {
        return s.sync().beforeCommand().compose(v -> s.idle(cmd));
    }
}

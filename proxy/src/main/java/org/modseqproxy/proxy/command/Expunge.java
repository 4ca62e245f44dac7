package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/**
 * EXPUNGE, UID EXPUNGE (RFC 4315), MOVE and UID MOVE (RFC 6851): forwarded as written; the funnel turns every
 * EXPUNGE into VANISHED once QRESYNC is on (RFC 7162 3.2.10), logs the UIDs in the store before the tagged OK, and
 * puts the new HIGHESTMODSEQ in that OK (3.2.7).
 */
final class Expunge {
    private Expunge() {}

    static Future<Void> handle(Command cmd, Session s) {
        return s.forward(cmd).compose(tagged -> s.sync().finishExpunging(cmd.tag(), tagged));
    }
}

package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import java.util.List;
import org.modseqproxy.proxy.codec.Token;
import org.modseqproxy.proxy.sync.MailboxSync;

/** RENAME (RFC 9051 6.3.6): once the backend agrees, the mailbox's state follows it (or is dropped by the store). */
final class Rename {
    private Rename() {}

    static Future<Void> handle(Command cmd, Session s) {
        MailboxSync sync = s.sync();
        List<Token> args = cmd.args();
        if (args.size() != 2 || args.get(0).stringValue() == null || args.get(1).stringValue() == null) {
            return Future.failedFuture(ImapException.bad("RENAME expects two mailbox names"));
        }
        String from = args.get(0).stringValue();
        String to = args.get(1).stringValue();
        return s.forward(cmd).compose(tagged -> {
            if (!"OK".equals(tagged.keyword()) || !sync.store().configured()) {
                return sync.finish(cmd.tag(), tagged);
            }
            // RENAME INBOX moves its messages and leaves INBOX empty (RFC 9051 6.3.6): both states are stale then.
            Future<Void> moved = (from.equalsIgnoreCase("INBOX")
                            ? sync.store()
                                    .delete(sync.idFor(from))
                                    .compose(v -> sync.store().delete(sync.idFor(to)))
                            : sync.store().rename(sync.idFor(from), sync.idFor(to)))
                    .recover(err -> Future.succeededFuture());
            return moved.compose(v -> sync.finish(cmd.tag(), tagged));
        });
    }
}

package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import java.util.List;
import org.modseqproxy.proxy.codec.Token;
import org.modseqproxy.proxy.sync.MailboxSync;

/** DELETE (RFC 9051 6.3.5): the mailbox's state is dropped once the backend has deleted it. */
final class Delete {
    private Delete() {}

    static Future<Void> handle(Command cmd, Session s) {
        MailboxSync sync = s.sync();
        List<Token> args = cmd.args();
        if (args.size() != 1 || args.get(0).stringValue() == null) {
            return Future.failedFuture(ImapException.bad("DELETE expects a mailbox name"));
        }
        String name = args.get(0).stringValue();
        return s.forward(cmd).compose(tagged -> {
            if (!"OK".equals(tagged.keyword()) || !sync.store().configured()) {
                return sync.finish(cmd.tag(), tagged);
            }
            return sync.store()
                    .delete(sync.idFor(name))
                    .recover(err -> Future.succeededFuture())
                    .compose(v -> sync.finish(cmd.tag(), tagged));
        });
    }
}

package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import org.modseqproxy.proxy.sync.MailboxSync;
import org.modseqproxy.proxy.sync.SelectedMailbox;
import org.modseqproxy.state.ChangeSet;
import org.modseqproxy.state.UidSet;

/**
 * CLOSE (RFC 9051 6.4.1) expunges \Deleted messages without any EXPUNGE response, so the proxy asks which ones
 * first (UID SEARCH DELETED) and logs them after the backend's OK; UNSELECT (RFC 3691) just leaves.
 */
final class Close {
    private Close() {}

    static Future<Void> handle(Command cmd, Session s) {
        MailboxSync sync = s.sync();
        SelectedMailbox mb = sync.selected();
        boolean expunges = cmd.name().equals("CLOSE") && mb != null && mb.modSeq() && !mb.readOnly();
        Future<UidSet> deleted = expunges ? sync.deletedUids() : Future.succeededFuture(UidSet.empty());
        return deleted.compose(gone -> s.forward(cmd).compose(tagged -> {
            if (!"OK".equals(tagged.keyword())) {
                return sync.finish(cmd.tag(), tagged);
            }
            Future<Void> logged = gone.isEmpty()
                    ? Future.succeededFuture()
                    : sync.applyNow(mb, ChangeSet.expunge(gone))
                            .<Void>mapEmpty()
                            .recover(err -> Future.succeededFuture());
            return logged.compose(v -> {
                sync.unselect();
                return sync.finish(cmd.tag(), tagged);
            });
        }));
    }
}

package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.modseqproxy.proxy.sync.FetchResponse;
import org.modseqproxy.proxy.sync.MailboxSync;
import org.modseqproxy.proxy.sync.SelectedMailbox;
import org.modseqproxy.state.UidSet;

/**
 * Before SEARCH MODSEQ or FETCH CHANGEDSINCE read mod-sequences from the view: messages another session removed,
 * whose EXPUNGE this client is still owed, keep the mod-sequence of their last change (RFC 7162 3.1.5, 3.1.4.1; a
 * native server's session still answers for them, RFC 9051 7.5.1). Whether that last change was the \Deleted flag
 * EXPUNGE needs, or nothing (a MOVE), the store cannot tell; the backend session, which has not dropped them yet,
 * shows which. One sequence-number FETCH asks it (the backend may not send EXPUNGE during it, RFC 9051 7.5.1); its
 * own FETCH lines are taken here, anything else it says goes through the funnel as usual. Only when there are such
 * messages, and each is asked about once.
 */
final class DepartedFlags {
    private DepartedFlags() {}

    static Future<Void> settle(Command cmd, Session s, MailboxSync sync) {
        SelectedMailbox mb = sync.selected();
        UidSet guessed = mb == null ? UidSet.empty() : mb.guessedDeparted();
        if (guessed.isEmpty()) {
            return Future.succeededFuture();
        }
        String seqs = Args.sequenceNumbers(mb, guessed);
        if (seqs.isEmpty()) {
            guessed.stream().forEach(uid -> mb.settleDeparted(uid, null));
            return Future.succeededFuture();
        }
        sync.hook(frame -> {
            if (!"FETCH".equals(frame.keyword())) {
                return false;
            }
            FetchResponse f = FetchResponse.parse(frame);
            long uid = f == null ? -1 : mb.uidOf(f.seq());
            if (uid <= 0 || !guessed.contains(uid)) {
                return false;
            }
            mb.settleDeparted(uid, f.flags());
            return true;
        });
        // the tagged answer does not matter: a NO ("some messages no longer exist") leaves the guesses as they are
        return s.forward(cmd, Buffer.buffer("FETCH " + seqs + " (FLAGS)\r\n"))
                .<Void>mapEmpty()
                .andThen(ar -> {
                    sync.hook(null);
                    guessed.stream().forEach(uid -> mb.settleDeparted(uid, null)); // shown nothing: the guess stays
                });
    }
}

package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.modseqproxy.proxy.codec.ImapEncoder;
import org.modseqproxy.proxy.codec.Token;
import org.modseqproxy.proxy.sync.MailboxSync;
import org.modseqproxy.proxy.sync.SelectedMailbox;
import org.modseqproxy.state.UidSet;

/**
 * SEARCH / UID SEARCH with the MODSEQ criterion (RFC 7162 3.1.5), anywhere in the key tree (inside OR, NOT,
 * parentheses): each MODSEQ key becomes "UID <set of messages whose mod-sequence is >= n>", so the backend evaluates
 * any boolean combination. Results then get "(MODSEQ m)" (SEARCH) or "MODSEQ m" (ESEARCH, RFC 7162 3.1.10).
 */
final class Search {
    private Search() {}

    static Future<Void> handle(Command cmd, Session s) {
        MailboxSync sync = s.sync();
        if (!containsModSeq(cmd.args())) {
            return PassThrough.handle(cmd, s);
        }
        if (UpdateContexts.wantsUpdates(cmd.args())) {
            // The MODSEQ key becomes a fixed UID set, so the backend's later updates (RFC 5267 4.1) would miss every
            // message changed after this search: refuse the updates rather than send wrong ones.
            return Future.failedFuture(ImapException.no(
                    "NOUPDATE " + ImapEncoder.quoted(cmd.tag()), "UPDATE cannot be combined with MODSEQ here"));
        }
        sync.enableCondstore(); // RFC 7162 3.1: a CONDSTORE enabling command
        return sync.ensureModSeq().compose(active -> {
            if (!active) {
                return Future.failedFuture(ImapException.bad("NOMODSEQ", "This mailbox has no mod-sequences"));
            }
            SelectedMailbox mb = sync.selected();
            List<Token> rewritten = rewrite(cmd.args(), mb);
            sync.hook(frame -> sync.lines().searchAnswer(frame, cmd.uid()));
            String rest = cmd.name() + " " + Args.serialize(rewritten) + "\r\n";
            return s.forward(cmd, Buffer.buffer(rest, "UTF-8")).compose(t -> sync.finish(cmd.tag(), t));
        });
    }

    static boolean containsModSeq(List<Token> tokens) {
        for (Token t : tokens) {
            if (Args.isAtom(t, "MODSEQ") || t instanceof Token.ListTok l && containsModSeq(l.items())) {
                return true;
            }
        }
        return false;
    }

    /** MODSEQ [entry-name entry-type] n  ->  UID <set>; per-flag entries use the message's mod-sequence (3.1.5). */
    static List<Token> rewrite(List<Token> tokens, SelectedMailbox mb) {
        List<Token> out = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t instanceof Token.ListTok l) {
                out.add(new Token.ListTok(rewrite(l.items(), mb)));
            } else if (Args.isAtom(t, "MODSEQ") && !(i > 0 && Args.isAtom(tokens.get(i - 1), "RETURN"))) {
                int j = i + 1;
                if (j < tokens.size() && tokens.get(j) instanceof Token.Quoted) {
                    j += 2; // entry-name and entry-type-req
                }
                if (j >= tokens.size()) {
                    throw ImapException.bad("MODSEQ expects a mod-sequence");
                }
                long n = Args.number(tokens.get(j), "mod-sequence");
                UidSet set = mb.changedSince(n - 1);
                if (set.isEmpty()) {
                    // Matches nothing and is valid everywhere a key is (UID 0 was refused by Dovecot as an invalid
                    // set).
                    out.add(new Token.ListTok(List.of(new Token.Atom("NOT"), new Token.Atom("ALL"))));
                } else {
                    out.add(new Token.Atom("UID"));
                    out.add(new Token.Atom(set.toImapString()));
                }
                i = j;
            } else {
                out.add(t);
            }
        }
        return out;
    }
}

package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.ImapEncoder;
import org.modseqproxy.proxy.codec.Token;
import org.modseqproxy.proxy.sync.MailboxSync;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.ModSeqClock;

/**
 * STATUS with HIGHESTMODSEQ (RFC 7162 3.1.7). The backend is asked for MESSAGES/UIDNEXT/UIDVALIDITY as well; when
 * they disagree with the stored state (mail arrived or left without the proxy seeing it) HIGHESTMODSEQ is bumped, so
 * the value never hides a change the proxy could have seen; the next SELECT gives those changes their own, higher
 * mod-sequences. A mailbox without mod-sequences reports 0, as 3.1.7 requires.
 */
final class Status {
    private Status() {}

    static Future<Void> handle(Command cmd, Session s) {
        MailboxSync sync = s.sync();
        StatusArgs a = StatusArgs.parse(cmd.args());
        if (!a.highestModSeq()) {
            return PassThrough.handle(cmd, s);
        }
        sync.enableCondstore(); // RFC 7162 3.1: a CONDSTORE enabling command
        // A backend with its own CONDSTORE is asked first, so a mailbox it keeps mod-sequences for is answered with its
        // numbers (the ones a later SELECT will show), never with ours. With a mailbox selected, this first enabling
        // command owes its HIGHESTMODSEQ (RFC 7162 3.1): ensureModSeq lists it if needed and says it first.
        Future<Boolean> selectedReady =
                sync.selected() != null && !sync.nativeSelected() ? sync.ensureModSeq() : Future.succeededFuture(true);
        return selectedReady
                .compose(on -> sync.enableOnBackend())
                .compose(v -> status(cmd, s, sync, a.mailbox(), a.items()));
    }

    private static Future<Void> status(
            Command cmd, Session s, MailboxSync sync, String mailbox, List<String> requested) {
        Set<String> asked = new LinkedHashSet<>(requested);
        if (!sync.enabled().backendEnabled()) {
            asked.remove("HIGHESTMODSEQ"); // a legacy backend would answer BAD
        }
        asked.addAll(List.of("MESSAGES", "UIDNEXT", "UIDVALIDITY"));
        sync.hook(frame -> {
            if (!"STATUS".equals(frame.keyword())) {
                return false;
            }
            s.backend().pauseInput();
            answer(s, sync, mailbox, requested, values(frame)).onComplete(ar -> {
                if (ar.failed()) {
                    s.write(frame.raw());
                }
                s.backend().resumeInput();
            });
            return true;
        });
        String rest = "STATUS " + ImapEncoder.astring(mailbox) + " (" + String.join(" ", asked) + ")\r\n";
        return s.forward(cmd, Buffer.buffer(rest, "UTF-8")).compose(t -> sync.finish(cmd.tag(), t));
    }

    private static Map<String, Long> values(Frame frame) {
        Map<String, Long> v = new HashMap<>();
        List<Token> t = frame.tokens();
        if (t.size() >= 3 && t.get(t.size() - 1) instanceof Token.ListTok list) {
            List<Token> items = list.items();
            for (int i = 0; i + 1 < items.size(); i += 2) {
                try {
                    v.put(
                            Args.upper(items.get(i)),
                            Long.parseLong(items.get(i + 1).stringValue()));
                } catch (RuntimeException e) {
                    // skip odd items
                }
            }
        }
        return v;
    }

    private static Future<Void> answer(
            Session s, MailboxSync sync, String mailbox, List<String> requested, Map<String, Long> v) {
        Future<Long> hms;
        long uidValidity = v.getOrDefault("UIDVALIDITY", 0L);
        long backendHms = v.getOrDefault("HIGHESTMODSEQ", 0L);
        Boolean seenNative = sync.enabled().backendModSeqSeen(mailbox);
        if (backendHms > 0 && Boolean.TRUE.equals(seenNative)) {
            hms = Future.succeededFuture(backendHms); // the backend keeps mod-sequences for this mailbox itself
        } else if (sync.selected() != null && sync.selected().name().equals(mailbox) && sync.modSeqActive()) {
            hms = Future.succeededFuture(sync.selected().highestModSeq());
        } else if (uidValidity <= 0 || !sync.policy().modSeqFor(mailbox)) {
            hms = Future.succeededFuture(Boolean.FALSE.equals(seenNative) ? 0L : backendHms);
        } else {
            MailboxId id = sync.idFor(mailbox);
            hms = sync.store()
                    .load(id, uidValidity)
                    .compose(snap -> {
                        long messages = v.getOrDefault("MESSAGES", -1L);
                        long uidNext = v.getOrDefault("UIDNEXT", -1L);
                        if (snap.isPresent()) {
                            // The proxy keeps state for this mailbox, so it synthesizes its mod-sequences: ours,
                            // whatever the backend says (Dovecot with in-memory indexes answers STATUS HIGHESTMODSEQ
                            // with unrelated small numbers).
                            var st = snap.get();
                            long maxUid = st.uids().isEmpty() ? 0 : st.uids().last();
                            boolean same =
                                    st.size() == messages && (uidNext < 0 || uidNext <= maxUid + 1 || st.size() == 0);
                            if (same) {
                                return Future.succeededFuture(st.highestModSeq());
                            }
                            return sync.store().bump(id, uidValidity);
                        }
                        if (backendHms > 0 && !Boolean.FALSE.equals(seenNative)) {
                            // Never selected through a proxy and the backend has a number: a native mailbox as far as
                            // we know. If it turns out NOMODSEQ at SELECT, ours must start above it: never backwards.
                            ModSeqClock.observe(backendHms);
                            return Future.succeededFuture(backendHms);
                        }
                        return sync.store().highestModSeq(id, uidValidity);
                    })
                    .recover(err -> Future.succeededFuture(0L));
        }
        return hms.map(h -> {
            sync.lines().statusAnswer(mailbox, requested, v, h);
            return null;
        });
    }
}

package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.Token;

/**
 * RFC 5161. CONDSTORE and QRESYNC are the proxy's own and answered here (QRESYNC implies CONDSTORE, RFC 7162 3.2.3);
 * any other extension is forwarded when the backend has ENABLE. ENABLE must precede SELECT (RFC 5161 3.1).
 */
final class Enable {
    private Enable() {}

    static Future<Void> handle(Command cmd, Session s) {
        if (cmd.args().isEmpty()) {
            return Future.failedFuture(ImapException.bad("ENABLE expects capability names"));
        }
        Set<String> local = new LinkedHashSet<>();
        List<String> forward = new ArrayList<>();
        for (Token t : cmd.args()) {
            String name = t.stringValue();
            if (name == null) {
                return Future.failedFuture(ImapException.bad("ENABLE expects capability names"));
            }
            String up = name.toUpperCase(Locale.ROOT);
            if (up.equals("CONDSTORE") || up.equals("QRESYNC")) {
                local.add(up);
            } else {
                forward.add(name);
            }
        }
        List<String> enabled = new ArrayList<>(s.sync().enable(local));
        Future<List<String>> remote = Future.succeededFuture(List.of());
        if (!forward.isEmpty() && s.backend().has("ENABLE")) {
            remote = s.internal("ENABLE " + String.join(" ", forward)).map(r -> {
                List<String> names = new ArrayList<>();
                for (Frame f : r.untagged()) {
                    if ("ENABLED".equals(f.keyword())) {
                        f.tokens().subList(1, f.tokens().size()).forEach(x -> names.add(x.stringValue()));
                    }
                }
                return names;
            });
        }
        remote = remote.compose(names -> s.sync().enableOnBackend().map(names));
        return remote.map(names -> {
            enabled.addAll(names);
            // RFC 5161 3.2: only newly enabled extensions are listed.
            s.write(Buffer.buffer("* ENABLED" + (enabled.isEmpty() ? "" : " " + String.join(" ", enabled)) + "\r\n"));
            s.tagged(cmd.tag(), "OK ENABLE completed");
            return null;
        });
    }
}

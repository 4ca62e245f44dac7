package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.modseqproxy.proxy.codec.Token;

/**
 * RFC 2971. Before login the proxy answers for itself and keeps the client's fields to replay to the backend; after
 * login the ID goes to the backend, with the client's address added when the operator enables it (as Dovecot's
 * proxy does with x-originating-ip).
 */
final class Id {
    static final String SERVER_ID = "(\"name\" \"modseq-proxy\" \"vendor\" \"modseq-proxy\" \"version\" \"0.1\")";

    private Id() {}

    static Future<Void> handle(Command cmd, Session s) {
        List<Token> args = cmd.args();
        if (args.size() != 1) {
            return Future.failedFuture(ImapException.bad("ID expects a parameter list or NIL"));
        }
        List<String> fields = new ArrayList<>();
        Token t = args.get(0);
        if (t instanceof Token.ListTok list) {
            if (list.items().size() % 2 != 0 || list.items().size() > 60) {
                return Future.failedFuture(
                        ImapException.bad("ID parameter list must hold at most 30 field/value pairs"));
            }
            for (Token item : list.items()) {
                String v = item.stringValue();
                fields.add(
                        v == null || (item instanceof Token.Atom a && a.value().equalsIgnoreCase("NIL")) ? null : v);
            }
        } else if (!(t instanceof Token.Atom a && a.value().equalsIgnoreCase("NIL"))) {
            return Future.failedFuture(ImapException.bad("ID expects a parameter list or NIL"));
        }
        if (s.state() == SessionState.NOT_AUTHENTICATED || !s.backend().has("ID")) {
            s.clientId()
                    .remember(
                            fields.stream().filter(Objects::nonNull).toList().size() == fields.size()
                                    ? fields
                                    : List.of());
            s.writeLine("* ID " + SERVER_ID);
            s.tagged(cmd.tag(), "OK ID completed");
            return Future.succeededFuture();
        }
        if (!s.clientId().forwardAddress()) {
            return PassThrough.handle(cmd, s);
        }
        List<String> clean = new ArrayList<>();
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            String name = fields.get(i);
            // a client must not be able to forge the address the backend logs
            if (name != null && !name.toLowerCase(Locale.ROOT).startsWith("x-originating-")) {
                clean.add(name);
                clean.add(fields.get(i + 1));
            }
        }
        String rest = "ID " + s.clientId().list(clean) + "\r\n";
        return s.forward(cmd, Buffer.buffer(rest, "UTF-8"))
                .compose(tagged -> s.sync().finish(cmd.tag(), tagged));
    }
}

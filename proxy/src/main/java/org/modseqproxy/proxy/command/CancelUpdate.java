package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.modseqproxy.proxy.codec.ImapEncoder;
import org.modseqproxy.proxy.codec.Token;

/**
 * CANCELUPDATE "tag" ... (RFC 5267 4.3): the client names its own tags; the backend knows the searches by the proxy's.
 * A tag that names no open context goes to the backend as written, which answers it as it would without the proxy.
 */
final class CancelUpdate {
    private CancelUpdate() {}

    /** The arguments: one tag-string per search to cancel. */
    record Tags(List<String> clientTags) {
        static Tags parse(List<Token> tokens) {
            if (tokens.isEmpty()) {
                throw ImapException.bad("CANCELUPDATE expects at least one tag");
            }
            List<String> tags = new ArrayList<>();
            for (Token t : tokens) {
                String tag = t instanceof Token.ListTok ? null : t.stringValue();
                if (tag == null) {
                    throw ImapException.bad("CANCELUPDATE expects tag strings");
                }
                tags.add(tag);
            }
            return new Tags(List.copyOf(tags));
        }
    }

    static Future<Void> handle(Command cmd, Session s) {
        Tags args = Tags.parse(cmd.args());
        UpdateContexts contexts = s.updateContexts();
        List<String> backendTags = new ArrayList<>();
        StringBuilder rest = new StringBuilder(cmd.name());
        for (String clientTag : args.clientTags()) {
            String backendTag = contexts.backendTag(clientTag);
            String sent = backendTag != null ? backendTag : clientTag;
            if (backendTag != null) {
                backendTags.add(backendTag);
            }
            rest.append(' ').append(ImapEncoder.quoted(sent));
        }
        rest.append("\r\n");
        return s.forward(cmd, Buffer.buffer(rest.toString(), "UTF-8")).compose(tagged -> {
            if ("OK".equals(tagged.keyword())) {
                contexts.cancelled(backendTags);
            }
            return s.sync().finish(cmd.tag(), tagged);
        });
    }
}

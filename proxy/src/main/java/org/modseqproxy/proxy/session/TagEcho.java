package org.modseqproxy.proxy.session;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.Frames;
import org.modseqproxy.proxy.codec.ImapDecoder;
import org.modseqproxy.proxy.codec.ImapEncoder;
import org.modseqproxy.proxy.codec.Token;
import org.modseqproxy.proxy.command.UpdateContexts;

/**
 * Responses that name the command's tag (ESEARCH's search-correlator, RFC 4731 section 3.1 and RFC 9051 7.3.4;
 * ESORT answers with ESEARCH too, RFC 5267 section 3.2) carry the tag the backend saw, which is the proxy's own.
 * The client must get its own tag back, or it cannot match the result to its command.
 */
final class TagEcho {
    private TagEcho() {}

    /**
     * The frame with {@code (TAG "backendTag")} replaced by the client's tag: the running command's ({@code backendTag}
     * may be null when none runs), or that of a search the backend keeps updating (RFC 5267 4.1, {@code contexts} may be
     * null). The frame itself when it names neither.
     */
    static Frame toClient(Frame frame, String backendTag, String clientTag, UpdateContexts contexts) {
        if (!"ESEARCH".equals(frame.keyword())) {
            return frame;
        }
        List<Token> t = frame.tokens();
        if (t.size() < 2
                || !(t.get(1) instanceof Token.ListTok corr)
                || corr.items().size() != 2
                || !(corr.items().get(0) instanceof Token.Atom a)
                || !a.value().equalsIgnoreCase("TAG")) {
            return frame;
        }
        String named = corr.items().get(1).stringValue();
        String client = named != null && named.equals(backendTag)
                ? clientTag
                : contexts == null || named == null ? null : contexts.clientTag(named);
        if (client == null) {
            return frame;
        }
        return rewrite(frame, client);
    }

    private static Frame rewrite(Frame frame, String clientTag) {
        Buffer raw = frame.raw();
        int open = indexOf(raw, '(', 0);
        int close = open < 0 ? -1 : indexOf(raw, ')', open);
        if (close < 0) {
            return frame;
        }
        // The correlator is a quoted string without ')' (our tags are "p<n>"); the client's tag is an ASTRING-CHAR run,
        // so quoting it needs no escapes (RFC 9051 section 9, tag).
        Buffer rewritten = Buffer.buffer(raw.length() + clientTag.length())
                .appendBuffer(raw.getBuffer(0, open))
                .appendString("(TAG " + ImapEncoder.quoted(clientTag) + ")")
                .appendBuffer(raw.getBuffer(close + 1, raw.length()));
        return Frames.decode(ImapDecoder.Side.RESPONSES, rewritten).get(0);
    }

    private static int indexOf(Buffer b, char c, int from) {
        for (int i = from; i < b.length(); i++) {
            if (b.getByte(i) == c) {
                return i;
            }
        }
        return -1;
    }
}

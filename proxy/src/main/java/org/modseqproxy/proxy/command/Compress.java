package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import java.util.List;
import java.util.Locale;
import org.modseqproxy.proxy.codec.Token;

/**
 * RFC 4978 COMPRESS: the proxy compresses toward its client itself, independently of the backend (whose COMPRESS is
 * never offered: it would hide the stream from the proxy's codec). Never passed through, even when not offered.
 */
final class Compress {
    private Compress() {}

    /** The one argument, the mechanism, upper-cased; "DEFLATE" is the only one defined (RFC 4978 3). Pure. */
    record CompressArgs(String mechanism) {
        static CompressArgs parse(List<Token> args) {
            if (args.size() != 1 || !(args.get(0) instanceof Token.Atom a)) {
                throw ImapException.bad("COMPRESS expects one mechanism");
            }
            return new CompressArgs(a.value().toUpperCase(Locale.ROOT));
        }
    }

    static Future<Void> handle(Command cmd, Session s) {
        if (!s.compressOffered()) {
            return Future.failedFuture(ImapException.bad("COMPRESS is not offered"));
        }
        CompressArgs args = CompressArgs.parse(cmd.args());
        if (!args.mechanism().equals("DEFLATE")) {
            return Future.failedFuture(ImapException.bad("Unknown compression mechanism"));
        }
        if (s.compressActive()) {
            // RFC 4978 3: BAD when COMPRESS is active already (NO [COMPRESSIONACTIVE] is for another layer's)
            return Future.failedFuture(ImapException.bad("DEFLATE active already"));
        }
        return s.compress(cmd);
    }
}

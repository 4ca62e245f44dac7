package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.zip.DataFormatException;
import org.modseqproxy.metrics.ProxyMetrics;
import org.modseqproxy.proxy.command.ImapException;

/**
 * COMPRESS=DEFLATE (RFC 4978) in one session: off until the client asks, then everything the client sends is inflated
 * on its way to the decoder and everything written is deflated ({@link ClientOutput}). See {@link Compression}.
 */
final class ClientCompression {
    private final int level;
    private final ProxyMetrics metrics;
    private Compression compression;

    ClientCompression(int level, ProxyMetrics metrics) {
        this.level = level;
        this.metrics = metrics;
    }

    boolean active() {
        return compression != null;
    }

    /**
     * Turns it on: {@code ok} writes the tagged OK uncompressed, then output is compressed from right after its CRLF
     * (RFC 4978 3). {@code pending}: bytes the decoder holds after the command.
     */
    Future<Void> start(long pending, Runnable ok, ClientOutput output) {
        if (pending > 0) {
            // RFC 4978 3: nothing may follow COMPRESS before its answer; what did is of unknown encoding
            return Future.failedFuture(ImapException.bad("Commands sent after COMPRESS before its answer"));
        }
        ok.run();
        compression = new Compression(level);
        output.compress(compression);
        metrics.compressStarted();
        return Future.succeededFuture();
    }

    /** Client bytes: straight on when off, else queued and inflated as far as {@code wantsMore} allows. */
    void received(Buffer wire, BooleanSupplier wantsMore, Consumer<Buffer> plain) throws DataFormatException {
        if (compression == null) {
            plain.accept(wire);
            return;
        }
        compression.received(wire);
        pump(wantsMore, plain);
    }

    /** Inflates what is queued while the decoder takes it (after a pause ends). */
    void pump(BooleanSupplier wantsMore, Consumer<Buffer> plain) throws DataFormatException {
        if (compression != null) {
            compression.pump(wantsMore, plain);
        }
    }

    /** zlib's native memory, now rather than at the next GC. */
    void end() {
        if (compression != null) {
            compression.end();
        }
    }
}

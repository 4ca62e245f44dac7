package org.modseqproxy.proxy.session;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * COMPRESS=DEFLATE toward one client (RFC 4978): raw DEFLATE (RFC 1951, no zlib header: windowBits -15) in both
 * directions, under TLS when TLS is on (RFC 4978 3: compress first, then encrypt), with the JDK's zlib.
 *
 * <p>Output is compressed without flushing and flushed (Z_SYNC_FLUSH) once per event-loop turn, so the responses of
 * one turn share blocks and an IDLE push leaves at once. Input is inflated in 16 KiB pieces only while the session's
 * decoder wants more: a small packet that inflates to megabytes never sits in memory at once (backpressure holds
 * through the compression layer). The native zlib state is freed by {@link #end()}.
 */
final class Compression {
    static final int PIECE = 16 * 1024;

    private final Deflater deflater;
    private final Inflater inflater = new Inflater(true);
    private final ArrayDeque<byte[]> compressedIn = new ArrayDeque<>();
    private final byte[] outPiece = new byte[PIECE];
    private final byte[] inPiece = new byte[PIECE];
    private long plainOut;
    private long wireOut;
    private boolean ended;

    Compression(int level) {
        this.deflater = new Deflater(level, true);
    }

    /** Compresses {@code plain} for the wire; may return nothing until the next {@link #flush()}. */
    Buffer deflate(Buffer plain) {
        plainOut += plain.length();
        deflater.setInput(plain.getBytes());
        return drainDeflater(Deflater.NO_FLUSH);
    }

    /** Everything written so far, flushed to a byte boundary the client can decompress completely. */
    Buffer flush() {
        return ended ? Buffer.buffer() : drainDeflater(Deflater.SYNC_FLUSH);
    }

    private Buffer drainDeflater(int mode) {
        Buffer out = Buffer.buffer();
        if (ended) {
            return out;
        }
        while (true) {
            int n = deflater.deflate(outPiece, 0, outPiece.length, mode);
            if (n > 0) {
                out.appendBytes(outPiece, 0, n);
            }
            // NO_FLUSH: done when the input is consumed; SYNC_FLUSH: done when the last call did not fill the piece
            if (mode == Deflater.NO_FLUSH ? deflater.needsInput() : n < outPiece.length) {
                break;
            }
        }
        wireOut += out.length();
        return out;
    }

    /** A packet from the client, queued until the decoder takes its inflated bytes ({@link #pump}). */
    void received(Buffer compressed) {
        compressedIn.add(compressed.getBytes());
    }

    /**
     * Inflates queued input piece by piece into {@code sink} while {@code wantsMore} says so (the decoder is not
     * paused). Throws {@link DataFormatException} when the client's stream is not valid DEFLATE or ends (a final
     * block: RFC 4978 has no end of compression).
     */
    void pump(BooleanSupplier wantsMore, Consumer<Buffer> sink) throws DataFormatException {
        while (!ended && wantsMore.getAsBoolean()) {
            if (inflater.needsInput()) {
                byte[] next = compressedIn.poll();
                if (next == null) {
                    return;
                }
                inflater.setInput(next);
            }
            int n = inflater.inflate(inPiece);
            if (inflater.finished()) {
                throw new DataFormatException("the client ended its DEFLATE stream");
            }
            if (n > 0) {
                sink.accept(Buffer.buffer().appendBytes(inPiece, 0, n));
            } else if (inflater.needsDictionary()) {
                throw new DataFormatException("a preset dictionary is not part of RFC 4978");
            }
        }
    }

    /** Plain bytes given to {@link #deflate} so far, and what they cost on the wire. */
    long plainOut() {
        return plainOut;
    }

    long wireOut() {
        return wireOut;
    }

    void end() {
        if (!ended) {
            ended = true;
            deflater.end();
            inflater.end();
            compressedIn.clear();
        }
    }
}

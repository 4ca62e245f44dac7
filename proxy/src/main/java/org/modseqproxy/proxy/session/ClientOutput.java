package org.modseqproxy.proxy.session;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.metrics.ProxyMetrics;

/**
 * Everything the session writes to its client goes through here: counted (meters, the session's own total for
 * {@code ResyncCost}), traced when a trace is on, and with backpressure: a slow client stops the backend (DESIGN: a
 * 50 MB FETCH costs a few buffers). One pause per full queue, however many writes found it full, and one resume when
 * it drains. With COMPRESS=DEFLATE on ({@link Compression}) the meters count wire bytes, the trace and the
 * session's total the plain ones.
 *
 * <p>Lines written in one event-loop turn go out as one socket write at the end of the turn (or as soon as
 * {@link #BATCH} bytes are waiting): a 10,000-line FETCH answer relayed line by line cost a write and a TCP segment
 * per line, about three times what the backend took (issue 15). Nothing waits longer than the current turn.
 */
final class ClientOutput {
    /** Plain bytes that are sent at once rather than at the end of the turn. */
    static final int BATCH = 64 * 1024;

    private final NetSocket socket;
    private final ProxyMetrics metrics;
    private final SessionWatch watch;
    private final Context context;
    /** Plain output of this turn not yet handed to the socket (null: none). */
    private Buffer batch;

    private long written;
    private boolean backendPaused;
    private Compression compression;
    private boolean flushScheduled;
    private long reportedPlain;
    private long reportedWire;

    ClientOutput(NetSocket socket, ProxyMetrics metrics, SessionWatch watch, Context context) {
        this.socket = socket;
        this.metrics = metrics;
        this.watch = watch;
        this.context = context;
    }

    /** What is batched or compressed but not yet on the wire goes now (before a close or a TLS switch, end of turn). */
    void flush() {
        flushScheduled = false;
        sendBatch();
        if (compression != null) {
            long plain = compression.plainOut();
            long wire = compression.wireOut();
            send(compression.flush());
            metrics.compressedOut(plain - reportedPlain, compression.wireOut() - reportedWire);
            reportedPlain = plain;
            reportedWire = compression.wireOut();
        }
    }

    private void sendBatch() {
        if (batch != null) {
            Buffer b = batch;
            batch = null;
            send(b);
        }
    }

    private void send(Buffer wire) {
        if (wire.length() > 0) {
            metrics.bytes(MeterNames.DIRECTION_CLIENT_OUT, wire.length()); // what the client pays for
            socket.write(wire);
        }
    }

    /** Bytes written to the client since the connection opened, before compression. */
    long written() {
        return written;
    }

    /** From now on everything written is compressed (RFC 4978 3: right after the CRLF of the tagged OK). */
    void compress(Compression c) {
        flush(); // the tagged OK, and all before it, uncompressed
        this.compression = c;
    }

    /**
     * Writes; when the socket's queue is full, pauses {@code backend} (may be null) until it drains. Compressed output
     * is flushed once at the end of this event-loop turn.
     */
    void write(Buffer bytes, BackendConnection backend) {
        written += bytes.length();
        watch.toClient(bytes);
        if (compression == null && batch == null && bytes.length() >= BATCH) {
            send(bytes); // a large piece (a streamed literal's chunk) goes as it is, without a copy
        } else if (compression == null) {
            if (batch == null) {
                batch = Buffer.buffer(Math.max(256, bytes.length()));
            }
            batch.appendBuffer(bytes);
            if (batch.length() >= BATCH) {
                sendBatch();
            }
        } else {
            send(compression.deflate(bytes));
        }
        if (!flushScheduled) {
            flushScheduled = true;
            context.runOnContext(v -> flush());
        }
        if (!backendPaused && socket.writeQueueFull() && backend != null && !backend.isClosed()) {
            backendPaused = true;
            backend.pauseInput();
            socket.drainHandler(v -> {
                socket.drainHandler(null);
                backendPaused = false;
                backend.resumeInput();
            });
        }
    }
}

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
 */
final class ClientOutput {
    private final NetSocket socket;
    private final ProxyMetrics metrics;
    private final SessionWatch watch;
    private long written;
    private boolean backendPaused;
    private Compression compression;
    private Context context;
    private boolean flushScheduled;
    private long reportedPlain;
    private long reportedWire;

    ClientOutput(NetSocket socket, ProxyMetrics metrics, SessionWatch watch) {
        this.socket = socket;
        this.metrics = metrics;
        this.watch = watch;
    }

    /** What is compressed but not yet on the wire goes now (before a close, and at the end of each turn). */
    void flush() {
        flushScheduled = false;
        if (compression != null) {
            long plain = compression.plainOut();
            long wire = compression.wireOut();
            send(compression.flush());
            metrics.compressedOut(plain - reportedPlain, compression.wireOut() - reportedWire);
            reportedPlain = plain;
            reportedWire = compression.wireOut();
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
    void compress(Compression c, Context context) {
        this.compression = c;
        this.context = context;
    }

    /**
     * Writes; when the socket's queue is full, pauses {@code backend} (may be null) until it drains. Compressed output
     * is flushed once at the end of this event-loop turn.
     */
    void write(Buffer bytes, BackendConnection backend) {
        written += bytes.length();
        watch.toClient(bytes);
        if (compression == null) {
            send(bytes);
        } else {
            send(compression.deflate(bytes));
            if (!flushScheduled) {
                flushScheduled = true;
                context.runOnContext(v -> flush());
            }
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

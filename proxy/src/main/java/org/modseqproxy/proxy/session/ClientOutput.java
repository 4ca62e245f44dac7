package org.modseqproxy.proxy.session;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.metrics.ProxyMetrics;

/**
 * Everything the session writes to its client goes through here: counted (meters, the session's own total for
 * {@code ResyncCost}), traced when a trace is on, and with backpressure: a slow client stops the backend (DESIGN: a
 * 50 MB FETCH costs a few buffers). One pause per full queue, however many writes found it full, and one resume when
 * it drains.
 */
final class ClientOutput {
    private final NetSocket socket;
    private final ProxyMetrics metrics;
    private final SessionWatch watch;
    private long written;
    private boolean backendPaused;

    ClientOutput(NetSocket socket, ProxyMetrics metrics, SessionWatch watch) {
        this.socket = socket;
        this.metrics = metrics;
        this.watch = watch;
    }

    /** Bytes written to the client since the connection opened. */
    long written() {
        return written;
    }

    /** Writes; when the socket's queue is full, pauses {@code backend} (may be null) until it drains. */
    void write(Buffer bytes, BackendConnection backend) {
        metrics.bytes(MeterNames.DIRECTION_CLIENT_OUT, bytes.length());
        written += bytes.length();
        watch.toClient(bytes);
        socket.write(bytes);
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

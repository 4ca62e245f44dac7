package org.modseqproxy.proxy.session;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * One session's trace file, written without blocking the event loop: Vert.x's AsyncFile does the disk I/O on its
 * worker, what arrives before the file is open waits in a list, and the whole file never exceeds its byte budget
 * (a last line says where it stopped). When the disk falls behind, lines are dropped and counted, never queued
 * without bound: a trace must not cost the session its memory.
 */
final class TraceFile {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final TraceFilter filter;
    private final long maxBytes;
    private final List<Buffer> pending = new ArrayList<>();
    private AsyncFile file;
    private long written;
    private long dropped;
    private boolean full;
    private boolean closed;

    private TraceFile(long maxBytes, long maskAbove) {
        this.maxBytes = maxBytes;
        this.filter =
                new TraceFilter(maskAbove, () -> LocalTime.now(ZoneOffset.UTC).format(TIME));
    }

    /** Opens {@code path} (creating its directory) in the background; writes before that are kept in order. */
    static TraceFile open(Vertx vertx, Path path, String header, long maxBytes, long maskAbove) {
        TraceFile t = new TraceFile(maxBytes, maskAbove);
        t.text(header);
        vertx.fileSystem()
                .mkdirs(path.getParent().toString())
                .compose(v -> vertx.fileSystem()
                        .open(
                                path.toString(),
                                new OpenOptions()
                                        .setCreate(true)
                                        .setAppend(true)
                                        .setWrite(true)))
                .onSuccess(t::opened)
                .onFailure(e -> t.full = true); // no trace rather than a broken session; the admin call says where
        return t;
    }

    void fromClient(Buffer bytes) {
        if (!full) {
            text(filter.fromClient(bytes.getBytes()));
        }
    }

    void toClient(Buffer bytes) {
        if (!full) {
            text(filter.toClient(bytes.getBytes()));
        }
    }

    void close(String why) {
        if (closed) {
            return;
        }
        if (!full) {
            text("# trace ended: " + why + "\n");
        }
        closed = true;
        if (file != null) {
            file.close();
        }
    }

    private void opened(AsyncFile f) {
        file = f;
        pending.forEach(f::write);
        pending.clear();
        if (closed) {
            f.close();
        }
    }

    private void text(String s) {
        if (s.isEmpty() || closed) {
            return;
        }
        Buffer b = Buffer.buffer(s);
        if (written + b.length() > maxBytes) {
            full = true;
            b = Buffer.buffer("# trace stopped at " + written + " octets (trace.maxBytesPerSession)\n");
        } else if (file != null && file.writeQueueFull()) {
            dropped += b.length(); // the disk is slower than the session: drop, and say so once it catches up
            return;
        } else if (dropped > 0) {
            b = Buffer.buffer("# " + dropped + " octets of trace dropped (disk too slow)\n")
                    .appendBuffer(b);
            dropped = 0;
        }
        written += b.length();
        if (file == null) {
            pending.add(b);
        } else {
            file.write(b);
        }
    }
}

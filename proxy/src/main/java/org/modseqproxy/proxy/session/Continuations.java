package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;
import org.modseqproxy.proxy.codec.LiteralMarkers;

/**
 * What the outstanding backend command does at each coming "+" (RFC 9051 7.5): write the next part after a
 * synchronizing literal, or tell a streaming caller that the backend is ready for a large literal's data.
 */
final class Continuations {
    private final ArrayDeque<Object> queue = new ArrayDeque<>();

    /**
     * Writes a part of a command up to its first synchronizing literal and queues the rest, one segment per "+"
     * ({@link LiteralMarkers} rewrites the markers for the backend). When {@code endsWithLargeLiteral}, the future
     * completes once the backend may receive that literal's data, which the caller streams itself.
     */
    Future<Void> write(Buffer part, boolean nonSync, boolean endsWithLargeLiteral, Consumer<Buffer> write) {
        List<Buffer> segments = LiteralMarkers.split(part, nonSync);
        write.accept(segments.get(0));
        int last = segments.size() - 1;
        for (int i = 1; i <= last; i++) {
            if (i == last && endsWithLargeLiteral) {
                break; // the empty segment after the trailing marker: replaced by the readiness promise below
            }
            queue.add(segments.get(i));
        }
        if (!endsWithLargeLiteral || nonSync) {
            return Future.succeededFuture();
        }
        Promise<Void> ready = Promise.promise();
        queue.add(ready);
        return ready.future();
    }

    /** A "+" arrived: false when nothing was waiting for it (the command's listener gets it). */
    boolean take(Consumer<Buffer> write) {
        Object next = queue.poll();
        if (next instanceof Buffer b) {
            write.accept(b);
            return true;
        }
        if (next instanceof Promise<?> p) {
            p.tryComplete();
            return true;
        }
        return false;
    }

    /** The tagged answer came first: a literal still waiting will never be asked for. */
    void answered(String text) {
        for (Object o : queue) {
            if (o instanceof Promise<?> p) {
                p.tryFail(new BackendException("Backend answered before the literal: " + text));
            }
        }
        queue.clear();
    }
}

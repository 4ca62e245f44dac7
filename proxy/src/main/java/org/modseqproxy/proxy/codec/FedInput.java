package org.modseqproxy.proxy.codec;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;

/**
 * The bytes fed to a decoder and not yet consumed: the buffer being read (held by reference, never copied) and the
 * buffers fed after it while the decoder was paused. The decoder reads only from the current buffer; {@link
 * #ready()} moves on to the next one, so no read ever spans two buffers and a streamed literal chunk is a slice of
 * exactly what the socket delivered.
 */
final class FedInput {
    private Buffer cur;
    private int pos;
    private int end;
    private final ArrayDeque<Buffer> queued = new ArrayDeque<>();
    private long queuedBytes;

    void add(Buffer data) {
        if (cur == null && queued.isEmpty()) {
            cur = data;
            pos = 0;
            end = data.length();
        } else {
            queued.add(data);
            queuedBytes += data.length();
        }
    }

    /** True when unread bytes are at hand, making the next queued buffer current if this one is used up. */
    boolean ready() {
        if (cur != null && pos < end) {
            return true;
        }
        cur = queued.poll();
        if (cur == null) {
            return false;
        }
        pos = 0;
        end = cur.length();
        queuedBytes -= end;
        return true;
    }

    /** Unread bytes in the current buffer; call {@link #ready()} first. */
    int available() {
        return end - pos;
    }

    /** Offset of the first LF among the next {@code limit} bytes of the current buffer, or -1. */
    int indexOfLf(int limit) {
        int stop = pos + Math.min(limit, end - pos);
        for (int i = pos; i < stop; i++) {
            if (cur.getByte(i) == '\n') {
                return i - pos;
            }
        }
        return -1;
    }

    void copyTo(byte[] dst, int offset, int n) {
        cur.getBytes(pos, pos + n, dst, offset);
        pos += n;
    }

    /** The next n bytes as a slice of the fed buffer (no copy). */
    Buffer slice(int n) {
        Buffer s = cur.slice(pos, pos + n);
        pos += n;
        return s;
    }

    void skipInto(LineTail tail, int n) {
        tail.append(cur, pos, pos + n);
        pos += n;
    }

    void skip(int n) {
        pos += n;
    }

    /** Drops the reference to a used-up buffer so an idle connection holds none. */
    void releaseIfUsed() {
        if (cur != null && pos >= end) {
            cur = null;
        }
    }

    void clear() {
        cur = null;
        queued.clear();
        queuedBytes = 0;
    }

    long buffered() {
        return (cur != null ? end - pos : 0) + queuedBytes;
    }
}

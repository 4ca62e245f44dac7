package org.modseqproxy.proxy.codec;

import io.vertx.core.buffer.Buffer;

/**
 * The last bytes of a line the decoder is discarding (too long, or bad): enough to see whether the line ended by
 * announcing a literal ("{n}", "{n+}", "~{n}"), which will arrive anyway and must be skipped too (RFC 9051 7.5, RFC
 * 7888 4). Bounded: a discarded line costs {@value #SIZE} bytes, whatever its length.
 */
final class LineTail {
    static final int SIZE = 32;
    private final byte[] bytes = new byte[SIZE];
    private int len;
    private boolean nonSync;

    void clear() {
        len = 0;
    }

    /** Keeps the last bytes of {@code src[from, to)}. */
    void keep(byte[] src, int from, int to) {
        int n = Math.min(to - from, SIZE);
        System.arraycopy(src, to - n, bytes, 0, n);
        len = n;
    }

    /** Adds {@code data[from, to)} after what is kept, keeping only the last {@value #SIZE} bytes. */
    void append(Buffer data, int from, int to) {
        int n = to - from;
        if (n >= SIZE) {
            data.getBytes(to - SIZE, to, bytes, 0);
            len = SIZE;
        } else if (n > 0) {
            int keep = Math.min(len, SIZE - n);
            System.arraycopy(bytes, len - keep, bytes, 0, keep);
            data.getBytes(from, to, bytes, keep);
            len = keep + n;
        }
    }

    /** The line ended with CRLF: the CR is not part of it. */
    void dropTrailingCr() {
        if (len > 0 && bytes[len - 1] == '\r') {
            len--;
        }
    }

    /** n when the kept bytes end with "{n}", "{n+}" or "~{n}" (then {@link #nonSync} tells which), else -1. */
    long literal() {
        int p = len - 1;
        if (p < 2 || bytes[p] != '}') {
            return -1;
        }
        p--;
        nonSync = bytes[p] == '+';
        if (nonSync) {
            p--;
        }
        long n = 0;
        long scale = 1;
        int digits = 0;
        while (p >= 0 && ImapChars.isDigit(bytes[p])) {
            if (digits < 18) {
                n += (bytes[p] - '0') * scale;
                scale *= 10;
            } else {
                n = Long.MAX_VALUE;
            }
            digits++;
            p--;
        }
        return digits > 0 && p >= 0 && bytes[p] == '{' ? n : -1;
    }

    /** Whether the literal {@link #literal} found is non-synchronizing ("{n+}", RFC 7888). */
    boolean nonSync() {
        return nonSync;
    }
}

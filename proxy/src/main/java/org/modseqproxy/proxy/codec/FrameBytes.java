package org.modseqproxy.proxy.codec;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;

/**
 * The raw bytes of the frame part a decoder is collecting: line segments plus inline literal data. It starts
 * small, doubles as needed and goes back to small after a large frame, so an idle connection does not keep a
 * 1 MiB array (two decoders per session).
 */
final class FrameBytes {
    /** Most lines are shorter. */
    private static final int INITIAL = 256;

    private static final int KEEP = 4096;

    private byte[] bytes = new byte[INITIAL];
    private int length;

    /** The backing array; valid up to {@link #length()}, until the next append. */
    byte[] array() {
        return bytes;
    }

    int length() {
        return length;
    }

    byte at(int i) {
        return bytes[i];
    }

    /** Moves n bytes from the input to the end. */
    void append(FedInput input, int n) {
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + n, bytes.length * 2));
        }
        input.copyTo(bytes, length, n);
        length += n;
    }

    /** One copy into a fresh Buffer (Buffer.buffer(byte[]) would copy a second time). */
    Buffer copy(int from, int to) {
        return Buffer.buffer(to - from).appendBytes(bytes, from, to - from);
    }

    void truncate(int newLength) {
        length = newLength;
    }

    /** Empty again; a large array is let go. */
    void clear() {
        length = 0;
        if (bytes.length > KEEP) {
            bytes = new byte[INITIAL];
        }
    }
}

package org.modseqproxy.proxy.codec;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-announces the literals of a command for the backend. A client may use LITERAL+ ({n+}) even when the backend
 * has no LITERAL+ (Courier refuses {n+}), and the proxy answers a client's synchronizing literal itself; so before
 * bytes go to the backend, every literal marker is rewritten to what the backend accepts (RFC 7888 3, RFC 9051 4.3),
 * and the command is split where the backend must first say "+".
 *
 * <p>Pure: scans wire bytes of one command part. A line can only contain CRLF inside literal data or at its end, so
 * walking CRLF to CRLF while skipping each literal's bytes finds every marker exactly.
 */
public final class LiteralMarkers {
    private LiteralMarkers() {}

    /**
     * Splits {@code part} into segments. With {@code nonSyncAllowed} every marker becomes {n+} and there is one
     * segment. Otherwise markers become {n} and each segment but the last ends right after a marker's CRLF: the next
     * segment may be sent only after the backend's continuation request.
     */
    public static List<Buffer> split(Buffer part, boolean nonSyncAllowed) {
        List<Buffer> segments = new ArrayList<>();
        Buffer current = Buffer.buffer(part.length() + 8);
        int pos = 0;
        int len = part.length();
        while (pos < len) {
            int crlf = indexOfCrlf(part, pos);
            if (crlf < 0) {
                current.appendBuffer(part, pos, len - pos);
                break;
            }
            Marker m = markerBefore(part, pos, crlf);
            if (m == null) {
                current.appendBuffer(part, pos, crlf + 2 - pos);
                pos = crlf + 2;
                continue;
            }
            current.appendBuffer(part, pos, m.start - pos);
            current.appendString("{" + m.size + (nonSyncAllowed ? "+" : "") + "}\r\n");
            pos = crlf + 2;
            if (!nonSyncAllowed) {
                segments.add(current);
                current = Buffer.buffer();
            }
            long end = Math.min(len, pos + m.size);
            current.appendBuffer(part, pos, (int) (end - pos));
            pos = (int) end;
        }
        segments.add(current);
        return segments;
    }

    private record Marker(int start, long size) {}

    /** A marker "{digits[+-]}" ending right before {@code crlf}, not starting before {@code from}. */
    private static Marker markerBefore(Buffer b, int from, int crlf) {
        int i = crlf - 1;
        if (i < from || b.getByte(i) != '}') {
            return null;
        }
        i--;
        if (i >= from && (b.getByte(i) == '+' || b.getByte(i) == '-')) {
            i--;
        }
        int digitsEnd = i;
        while (i >= from && b.getByte(i) >= '0' && b.getByte(i) <= '9') {
            i--;
        }
        if (i == digitsEnd || i < from || b.getByte(i) != '{' || digitsEnd - i > 18) {
            return null;
        }
        long size = Long.parseLong(b.getString(i + 1, digitsEnd + 1));
        return new Marker(i, size);
    }

    private static int indexOfCrlf(Buffer b, int from) {
        for (int i = from; i + 1 < b.length(); i++) {
            if (b.getByte(i) == '\r' && b.getByte(i + 1) == '\n') {
                return i;
            }
        }
        return -1;
    }
}

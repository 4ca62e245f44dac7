package org.modseqproxy.proxy.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A large RFC 5322 message generated on the fly, never held in memory: a short header, then numbered 80-octet lines
 * (so a dropped or repeated chunk changes the digest). Tests stream it with {@link Reader#fill} and compare SHA-256
 * digests of what went in and what came back.
 */
public final class PatternMessage {
    private static final byte[] HEADER =
            "From: big@localhost\r\nTo: big@localhost\r\nSubject: pattern\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int LINE = 80;
    private final long lines;

    /** A message of about {@code approxSize} octets (whole lines). */
    public PatternMessage(long approxSize) {
        this.lines = (approxSize - HEADER.length) / LINE;
    }

    public long size() {
        return HEADER.length + lines * LINE;
    }

    public Reader reader() {
        return new Reader();
    }

    /** SHA-256 of the whole message, hex. */
    public String sha256() {
        MessageDigest md = newDigest();
        Reader r = reader();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = r.fill(buf, buf.length)) > 0) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Produces the message's bytes in order. */
    public final class Reader {
        private long pos;
        private final byte[] line = new byte[LINE];

        /** Fills up to {@code max} octets of {@code buf}; returns how many, 0 at the end. */
        public int fill(byte[] buf, int max) {
            int n = 0;
            long total = size();
            while (n < max && pos < total) {
                if (pos < HEADER.length) {
                    int k = (int) Math.min(max - n, HEADER.length - pos);
                    System.arraycopy(HEADER, (int) pos, buf, n, k);
                    n += k;
                    pos += k;
                    continue;
                }
                long body = pos - HEADER.length;
                long lineNo = body / LINE;
                int off = (int) (body % LINE);
                render(lineNo);
                int k = Math.min(max - n, LINE - off);
                System.arraycopy(line, off, buf, n, k);
                n += k;
                pos += k;
            }
            return n;
        }

        public long position() {
            return pos;
        }

        private long rendered = -1;

        private void render(long lineNo) {
            if (rendered == lineNo) {
                return;
            }
            rendered = lineNo;
            Arrays.fill(line, (byte) ('a' + (lineNo % 26)));
            String num = Long.toString(lineNo);
            for (int i = 0; i < num.length(); i++) {
                line[i] = (byte) num.charAt(i);
            }
            line[num.length()] = ' ';
            line[LINE - 2] = '\r';
            line[LINE - 1] = '\n';
        }
    }
}

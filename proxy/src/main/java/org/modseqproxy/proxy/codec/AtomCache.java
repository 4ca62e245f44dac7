package org.modseqproxy.proxy.codec;

import java.nio.charset.StandardCharsets;

/**
 * Shares the String of the atoms every FETCH response repeats (FETCH, UID, FLAGS, MODSEQ, NIL, \Seen...)
 * so that tokenizing a big FETCH listing allocates one String per number, not per keyword.
 */
final class AtomCache {
  private AtomCache() {}

  private static final String[] COMMON = {
      "FETCH", "UID", "FLAGS", "MODSEQ", "NIL", "RFC822.SIZE", "INTERNALDATE", "ENVELOPE", "BODYSTRUCTURE",
      "BODY", "EXISTS", "RECENT", "EXPUNGE", "OK", "NO", "BAD", "\\Seen", "\\Answered", "\\Flagged", "\\Deleted",
      "\\Draft", "\\Recent", "$Forwarded", "$Junk", "$NotJunk", "$MDNSent", "text", "plain", "TEXT", "PLAIN",
      "CHARSET", "7BIT", "8BIT", "QUOTED-PRINTABLE", "BASE64", "multipart", "MIXED", "ALTERNATIVE", "VANISHED",
      "EARLIER", "SEARCH", "ESEARCH", "STATUS", "LIST", "LSUB", "CAPABILITY"};
  private static final int SIZE = 128; // power of two, > COMMON.length * 2
  private static final String[] TABLE = new String[SIZE];
  private static final byte[][] BYTES = new byte[SIZE][];

  static {
    for (String s : COMMON) {
      byte[] b = s.getBytes(StandardCharsets.US_ASCII);
      int i = hash(b, 0, b.length) & (SIZE - 1);
      while (TABLE[i] != null) {
        i = (i + 1) & (SIZE - 1);
      }
      TABLE[i] = s;
      BYTES[i] = b;
    }
  }

  static String string(byte[] b, int from, int to) {
    int len = to - from;
    if (len <= 16) {
      int i = hash(b, from, to) & (SIZE - 1);
      while (BYTES[i] != null) {
        byte[] k = BYTES[i];
        if (k.length == len && java.util.Arrays.equals(k, 0, len, b, from, to)) {
          return TABLE[i];
        }
        i = (i + 1) & (SIZE - 1);
      }
    }
    return new String(b, from, len, StandardCharsets.UTF_8);
  }

  private static int hash(byte[] b, int from, int to) {
    int h = to - from;
    for (int i = from; i < to; i++) {
      h = h * 31 + b[i];
    }
    return h ^ (h >>> 7);
  }
}

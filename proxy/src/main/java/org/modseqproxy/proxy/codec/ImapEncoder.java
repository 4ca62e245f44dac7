package org.modseqproxy.proxy.codec;

/** Encoding helpers (API stub: implementation follows). */
public final class ImapEncoder {
  private ImapEncoder() {}

  /** An astring: atom if safe, quoted if possible, else a literal "{n}\r\n" + data. */
  public static String astring(String s) {
    throw new UnsupportedOperationException("not yet");
  }

  /** A quoted string; IllegalArgumentException if s contains CR, LF or NUL. */
  public static String quoted(String s) {
    throw new UnsupportedOperationException("not yet");
  }
}

package org.modseqproxy.proxy.codec;

import io.vertx.core.buffer.Buffer;

/** Resumable push decoder for one direction of an IMAP connection. Not thread-safe; one per connection. (API stub: implementation follows.) */
public final class ImapDecoder {
  public enum Side { COMMANDS /* client->server */, RESPONSES /* server->client */ }

  private final Side side;
  private final Limits limits;
  private final Sink sink;
  private boolean paused;

  public ImapDecoder(Side side, Limits limits, Sink sink) {
    this.side = side;
    this.limits = limits;
    this.sink = sink;
  }

  /** Process bytes synchronously, calling the sink. If the sink calls pause() the decoder stops right after that event and keeps the unprocessed rest. */
  public void feed(Buffer data) {
    throw new UnsupportedOperationException("not yet");
  }

  public void pause() {
    paused = true;
  }

  /** Continue with retained bytes synchronously (events may fire inside resume()). */
  public void resume() {
    paused = false;
  }

  public boolean isPaused() {
    return paused;
  }

  /** The next line (up to CRLF) is delivered as Sink.rawLine, not parsed: AUTHENTICATE client data, IDLE's DONE. */
  public void expectRawLine() {
  }

  /** Called inside largeLiteralStart: the session refuses this literal. */
  public void rejectLiteral() {
  }

  /** Current internal buffering, for tests and metrics. */
  public long bytesBuffered() {
    return 0;
  }
}

package org.modseqproxy.proxy.codec;

import io.vertx.core.buffer.Buffer;

/** A sink that ignores every event but a decode error, which fails: override only what a test looks at. */
abstract class IgnoringSink implements Sink {
    @Override
    public void frame(Frame frame) {}

    @Override
    public void largeLiteralStart(Frame head, long size, boolean nonSync) {}

    @Override
    public void literalChunk(Buffer chunk) {}

    @Override
    public void largeLiteralEnd() {}

    @Override
    public void rawLine(Buffer lineWithoutCrlf) {}

    @Override
    public void error(DecodeError error) {
        throw new AssertionError("unexpected " + error);
    }
}

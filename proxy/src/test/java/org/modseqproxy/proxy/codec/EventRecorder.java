package org.modseqproxy.proxy.codec;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A Sink that renders every event as one line of text, so that tests compare event sequences as lists
 * of strings. Consecutive literal chunks are merged into one "D" event (their split depends on how the
 * input was cut); chunks are hashed, never kept, unless {@link #capture} is set.
 *
 * <pre>
 * F KIND tag=T kw=K [n=N] tokens=[...] [code=NAME|rawArgs|[args]] [text="..."]   frame
 *   tokens: atom, "quoted", {n}data / {n+}data / ~{n}data (inline literal), {{n}} (streamed), (list)
 * S KIND ... size=N sync|nonsync                                                  largeLiteralStart
 * D text / D N bytes sha256=...                                                   literal chunks
 * E                                                                               largeLiteralEnd
 * C tag N                                                                         continuationRequest
 * R text                                                                          rawLine
 * X tag message / X! tag message                                                  error / fatal error
 * </pre>
 */
final class EventRecorder implements Sink {
    final List<String> events = new ArrayList<>();
    /** Every frame raw and chunk, in order: equals the input when nothing was skipped. */
    final Buffer passThrough = Buffer.buffer();

    boolean capture = true;
    boolean pauseOnEveryEvent;
    /** Keywords after which the session expects a raw line (IDLE's DONE, AUTHENTICATE responses). */
    Set<String> rawAfter = Set.of();

    boolean rejectLarge;
    ImapDecoder decoder;
    long maxBytesBuffered;

    private MessageDigest chunkDigest;
    private long chunkLength;
    private final StringBuilder chunkPrefix = new StringBuilder();

    @Override
    public void frame(Frame frame) {
        add("F " + describe(frame));
        if (capture) {
            passThrough.appendBuffer(frame.raw());
        }
        if (frame.keyword() != null
                        && rawAfter.contains(frame.keyword())
                        && frame.tokens().size() == 1
                || "AUTHENTICATE".equals(frame.keyword())
                        && rawAfter.contains("AUTHENTICATE")
                        && frame.tokens().size() == 2) {
            decoder.expectRawLine();
        }
        maybePause();
    }

    @Override
    public void continuationRequest(String tag, long size) {
        add("C " + tag + " " + size);
        maybePause();
    }

    @Override
    public void largeLiteralStart(Frame head, long size, boolean nonSync) {
        add("S " + describe(head) + " size=" + size + (nonSync ? " nonsync" : " sync"));
        if (capture) {
            passThrough.appendBuffer(head.raw());
        }
        if (rejectLarge) {
            decoder.rejectLiteral();
        }
        maybePause();
    }

    @Override
    public void literalChunk(Buffer chunk) {
        if (chunkDigest == null) {
            try {
                chunkDigest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            chunkLength = 0;
            chunkPrefix.setLength(0);
        }
        byte[] bytes = chunk.getBytes();
        chunkDigest.update(bytes);
        chunkLength += bytes.length;
        if (chunkPrefix.length() < 200) {
            chunkPrefix.append(escape(new String(bytes, StandardCharsets.ISO_8859_1)));
        }
        if (capture) {
            passThrough.appendBuffer(chunk);
        }
        track();
        maybePause();
    }

    @Override
    public void largeLiteralEnd() {
        add("E");
        maybePause();
    }

    @Override
    public void rawLine(Buffer line) {
        add("R " + escape(line.toString(StandardCharsets.UTF_8)));
        maybePause();
    }

    @Override
    public void error(DecodeError error) {
        add((error.fatal() ? "X! " : "X ") + error.tag() + " " + error.message());
        maybePause();
    }

    /** Events so far, with pending chunks flushed. */
    List<String> events() {
        flushChunks();
        return events;
    }

    /** SHA-256 of the last merged chunk run, for big literals. */
    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void add(String event) {
        flushChunks();
        events.add(event);
        track();
    }

    private void track() {
        if (decoder != null) {
            maxBytesBuffered = Math.max(maxBytesBuffered, decoder.bytesBuffered());
        }
    }

    private void flushChunks() {
        if (chunkDigest == null) {
            return;
        }
        String hash = HexFormat.of().formatHex(chunkDigest.digest());
        events.add(chunkLength <= 64 ? "D " + chunkPrefix : "D " + chunkLength + " bytes sha256=" + hash);
        chunkDigest = null;
    }

    private void maybePause() {
        if (pauseOnEveryEvent) {
            decoder.pause();
        }
    }

    static String describe(Frame f) {
        StringBuilder sb = new StringBuilder();
        sb.append(f.kind()).append(" tag=").append(f.tag()).append(" kw=").append(f.keyword());
        if (f.number() >= 0) {
            sb.append(" n=").append(f.number());
        }
        sb.append(" tokens=").append(render(f.tokens()));
        f.code()
                .ifPresent(c -> sb.append(" code=")
                        .append(c.name())
                        .append('|')
                        .append(c.rawArgs())
                        .append('|')
                        .append(render(c.args())));
        if (f.text() != null) {
            sb.append(" text=\"").append(escape(f.text())).append('"');
        }
        return sb.toString();
    }

    static String render(List<Token> tokens) {
        StringBuilder sb = new StringBuilder("[");
        renderItems(sb, tokens);
        return sb.append(']').toString();
    }

    private static void renderItems(StringBuilder sb, List<Token> tokens) {
        for (int i = 0; i < tokens.size(); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            render(sb, tokens.get(i));
        }
    }

    private static void render(StringBuilder sb, Token t) {
        if (t instanceof Token.Atom a) {
            sb.append(a.value());
        } else if (t instanceof Token.Quoted q) {
            sb.append('"').append(escape(q.value()).replace("\"", "\\\"")).append('"');
        } else if (t instanceof Token.Literal l) {
            sb.append(l.binary() ? "~{" : "{")
                    .append(l.data().length())
                    .append(l.nonSync() ? "+" : "")
                    .append('}')
                    .append(escape(l.data().toString(StandardCharsets.UTF_8)));
        } else if (t instanceof Token.LargeLiteral l) {
            sb.append("{{").append(l.size()).append("}}");
        } else if (t instanceof Token.ListTok list) {
            sb.append('(');
            renderItems(sb, list.items());
            sb.append(')');
        }
    }

    /** Backslash stays as is (flags are written \Seen); CR, LF, NUL and other controls become visible. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case 0 -> sb.append("\\0");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}

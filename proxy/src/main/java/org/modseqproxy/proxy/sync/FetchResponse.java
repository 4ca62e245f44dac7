package org.modseqproxy.proxy.sync;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.Token;
import org.modseqproxy.state.Flags;

/**
 * What the proxy needs from an untagged "* n FETCH (...)" (RFC 9051 7.5.2): sequence number, UID and FLAGS when
 * present, and whether MODSEQ is already there. Pure; also inserts a MODSEQ item into the wire bytes.
 */
public record FetchResponse(long seq, long uid, Flags flags, boolean hasModSeq) {

    /** Parses a FETCH frame (complete or the head of a streamed one); null when it is not a FETCH. */
    public static FetchResponse parse(Frame frame) {
        if (!"FETCH".equals(frame.keyword()) || frame.number() < 0) {
            return null;
        }
        List<Token> tokens = frame.tokens();
        if (tokens.size() < 3 || !(tokens.get(2) instanceof Token.ListTok list)) {
            return new FetchResponse(frame.number(), -1, null, false);
        }
        long uid = -1;
        Flags flags = null;
        boolean modseq = false;
        List<Token> items = list.items();
        for (int i = 0; i + 1 < items.size(); i += 2) {
            if (!(items.get(i) instanceof Token.Atom name)) {
                continue;
            }
            String n = name.value().toUpperCase(Locale.ROOT);
            Token value = items.get(i + 1);
            switch (n) {
                case "UID" -> {
                    if (value instanceof Token.Atom a) {
                        try {
                            uid = Long.parseLong(a.value());
                        } catch (NumberFormatException e) {
                            uid = -1;
                        }
                    }
                }
                case "FLAGS" -> {
                    if (value instanceof Token.ListTok fl) {
                        List<String> names = new ArrayList<>();
                        fl.items().forEach(t -> {
                            if (t.stringValue() != null) {
                                names.add(t.stringValue());
                            }
                        });
                        flags = Flags.of(names);
                    }
                }
                case "MODSEQ" -> modseq = true;
                default -> {}
            }
        }
        return new FetchResponse(frame.number(), uid, flags, modseq);
    }

    /**
     * The frame's bytes without a "MODSEQ (n)" item: a backend with CONDSTORE enabled may add its own to a mailbox it
     * said NOMODSEQ for (Dovecot with in-memory indexes does, after STORE .SILENT); the client must only see ours.
     */
    public static Buffer withoutModSeq(Buffer raw) {
        String text = raw.toString(StandardCharsets.ISO_8859_1);
        Matcher m = MODSEQ_ITEM.matcher(text);
        if (!m.find()) {
            return raw;
        }
        int start = m.start();
        int end = m.end();
        return Buffer.buffer(raw.length()).appendBuffer(raw, 0, start).appendBuffer(raw, end, raw.length() - end);
    }

    /** The frame's bytes with its "FLAGS (...)" item replaced by {@code flags} (the line's other items kept). */
    public static Buffer withFlags(Buffer raw, Flags flags) {
        String text = raw.toString(StandardCharsets.ISO_8859_1);
        Matcher m = FLAGS_ITEM.matcher(text);
        if (!m.find()) {
            return raw;
        }
        return Buffer.buffer(raw.length())
                .appendBuffer(raw, 0, m.start())
                .appendString("FLAGS " + flags.toImap(), "UTF-8")
                .appendBuffer(raw, m.end(), raw.length() - m.end());
    }

    private static final Pattern FLAGS_ITEM = Pattern.compile("(?i)(?<=[( ])FLAGS \\([^)]*\\)");

    private static final Pattern MODSEQ_ITEM =
            Pattern.compile("(?i)(?<=[( ])MODSEQ \\(\\d+\\) ?|(?i) MODSEQ \\(\\d+\\)(?=\\))");

    /** The frame's bytes with "MODSEQ (m)" as first item (RFC 7162 3.1.4.2). Item order in FETCH is free. */
    public static Buffer withModSeq(Buffer raw, long modSeq) {
        return withUidAndModSeq(raw, -1, modSeq);
    }

    /**
     * RFC 7162 3.2.4: once CONDSTORE is on, untagged FETCH responses carry both UID and MODSEQ; {@code uid} is inserted
     * too when it is positive (callers pass -1 when the line already has UID).
     */
    public static Buffer withUidAndModSeq(Buffer raw, long uid, long modSeq) {
        return withFirstItems(raw, (uid > 0 ? "UID " + uid + " " : "") + "MODSEQ (" + modSeq + ")");
    }

    /** RFC 7162 3.2.4 (and native Dovecot): after ENABLE QRESYNC every untagged FETCH names its message's UID. */
    public static Buffer withUid(Buffer raw, long uid) {
        return withFirstItems(raw, "UID " + uid);
    }

    private static Buffer withFirstItems(Buffer raw, String items) {
        int open = -1;
        for (int i = 0; i < raw.length(); i++) {
            if (raw.getByte(i) == '(') {
                open = i;
                break;
            }
        }
        if (open < 0) {
            return raw;
        }
        boolean empty = open + 1 < raw.length() && raw.getByte(open + 1) == ')';
        String item = items + (empty ? "" : " ");
        return Buffer.buffer(raw.length() + item.length())
                .appendBuffer(raw, 0, open + 1)
                .appendString(item)
                .appendBuffer(raw, open + 1, raw.length() - open - 1);
    }
}

package org.modseqproxy.proxy.session;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the bytes of one session, both directions, into a readable trace: one line per protocol line, prefixed with a
 * time and {@code C:} (client to proxy) or {@code S:} (proxy to client). Pure and single-threaded: the session's event
 * loop feeds it.
 *
 * <p>What it never writes: the arguments of LOGIN (RFC 9051 6.2.3) and the initial response and continuation lines of
 * AUTHENTICATE (RFC 9051 6.2.2), literals inside such commands, and any literal body above {@code maskAbove} octets
 * (RFC 9051 4.3 literals; RFC 7888 non-synchronizing ones too), which is written as its size. A line longer than
 * {@link #MAX_LINE} is cut, so a hostile client cannot make the trace hold more than that per direction.
 */
final class TraceFilter {
    static final int MAX_LINE = 8192;
    private static final Pattern LITERAL_AT_END = Pattern.compile("~?\\{(\\d{1,19})\\+?}$");

    private final long maskAbove;
    private final Supplier<String> clock;
    private final Side client = new Side("C: ");
    private final Side server = new Side("S: ");
    /** The tag of a running AUTHENTICATE: until its tagged answer, every client line is a SASL response. */
    private String authTag;
    /** The client command being read is LOGIN or AUTHENTICATE: the rest of it, literals included, is masked. */
    private boolean maskCommand;

    TraceFilter(long maskAbove, Supplier<String> clock) {
        this.maskAbove = maskAbove;
        this.clock = clock;
    }

    /** Trace text for bytes the client sent. */
    String fromClient(byte[] bytes) {
        return feed(client, bytes);
    }

    /** Trace text for bytes the proxy sent to the client. */
    String toClient(byte[] bytes) {
        return feed(server, bytes);
    }

    private final class Side {
        final String prefix;
        final StringBuilder line = new StringBuilder();
        boolean lineCut;
        long literalLeft;
        boolean literalShown;
        /** The previous line ended in a literal: this one continues the same command. */
        boolean continues;

        Side(String prefix) {
            this.prefix = prefix;
        }
    }

    private String feed(Side side, byte[] b) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < b.length) {
            if (side.literalLeft > 0) {
                int n = (int) Math.min(side.literalLeft, b.length - i);
                if (side.literalShown) {
                    out.append(new String(b, i, n, StandardCharsets.UTF_8));
                }
                side.literalLeft -= n;
                i += n;
                if (side.literalLeft == 0
                        && side.literalShown
                        && out.length() > 0
                        && out.charAt(out.length() - 1) != '\n') {
                    out.append('\n');
                }
                continue;
            }
            int nl = i;
            while (nl < b.length && b[nl] != '\n') {
                nl++;
            }
            append(side, b, i, nl);
            if (nl == b.length) {
                break; // the rest of the line comes with the next bytes
            }
            i = nl + 1;
            String line = side.line.toString();
            side.line.setLength(0);
            boolean cut = side.lineCut;
            side.lineCut = false;
            line(side, line.endsWith("\r") ? line.substring(0, line.length() - 1) : line, cut, out);
        }
        return out.toString();
    }

    private void append(Side side, byte[] b, int from, int to) {
        int room = MAX_LINE - side.line.length();
        if (to - from > room) {
            side.lineCut = true;
            to = from + Math.max(0, room);
        }
        side.line.append(new String(b, from, to - from, StandardCharsets.UTF_8));
    }

    private void line(Side side, String line, boolean cut, StringBuilder out) {
        Matcher literal = LITERAL_AT_END.matcher(line);
        long size = literal.find() ? parse(literal.group(1)) : -1;
        String shown = side == client ? clientLine(side, line) : serverLine(line);
        out.append(clock.get()).append(' ').append(side.prefix).append(shown);
        if (cut) {
            out.append(" [line cut at ").append(MAX_LINE).append(" octets]");
        }
        out.append('\n');
        boolean masked = side == client && maskCommand;
        if (size > 0) {
            side.literalLeft = size;
            side.literalShown = !masked && size <= maskAbove;
            if (!side.literalShown) {
                out.append(clock.get())
                        .append(' ')
                        .append(side.prefix)
                        .append('[')
                        .append(size)
                        .append(masked ? " octets masked]" : " octets not traced]")
                        .append('\n');
            }
        }
        side.continues = size >= 0;
        if (side == client && !side.continues) {
            maskCommand = false; // the command's last line
        }
    }

    private String clientLine(Side side, String line) {
        if (authTag != null && !side.continues) {
            return "***"; // a SASL response line (RFC 9051 6.2.2)
        }
        if (side.continues) {
            return maskCommand ? "***" : line;
        }
        String[] words = line.split(" ", 4);
        String command = words.length > 1 ? words[1].toUpperCase(Locale.ROOT) : "";
        if (command.equals("LOGIN")) {
            maskCommand = true;
            return words[0] + " " + words[1] + " ***";
        }
        if (command.equals("AUTHENTICATE") && words.length > 2) {
            maskCommand = true;
            authTag = words[0];
            return words[0] + " " + words[1] + " " + words[2] + (words.length > 3 ? " ***" : "");
        }
        return line;
    }

    private String serverLine(String line) {
        if (authTag != null && line.startsWith(authTag + " ")) {
            authTag = null; // AUTHENTICATE answered
        }
        return line;
    }

    private static long parse(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}

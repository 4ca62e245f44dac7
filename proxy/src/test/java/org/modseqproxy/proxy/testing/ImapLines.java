package org.modseqproxy.proxy.testing;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.UidSet;

/**
 * Reads what a client sees in IMAP response lines (as {@link RawImap} returns them): FETCH items, VANISHED sets,
 * response-code numbers, the tagged answer. Flags come as {@link Flags}: a set without {@code \Recent} (it is per
 * session, RFC 9051 2.3.2), system flags spelled canonically, so two views compare with {@code equals}.
 */
public final class ImapLines {
    private static final Pattern FETCH = Pattern.compile("^\\* (\\d+) FETCH \\((.*)\\)$");
    private static final Pattern UID = Pattern.compile("(?:^|[ (])UID (\\d+)");
    private static final Pattern FLAGS = Pattern.compile("(?:^|[ (])FLAGS \\(([^)]*)\\)");
    private static final Pattern MODSEQ = Pattern.compile("(?:^|[ (])MODSEQ \\((\\d+)\\)");
    private static final Pattern VANISHED = Pattern.compile("^\\* VANISHED (\\(EARLIER\\) )?([0-9:,]+)$");
    private static final Pattern EXPUNGE = Pattern.compile("^\\* \\d+ EXPUNGE$");

    private ImapLines() {}

    /** One untagged FETCH; uid and modSeq are 0 (never a valid value) and flags null when the line lacks them. */
    public record Fetch(long seq, long uid, Flags flags, long modSeq) {}

    /** A "* VANISHED [(EARLIER)] set" line. */
    public record Vanished(boolean earlier, UidSet uids) {}

    public static Optional<Fetch> fetch(String line) {
        Matcher m = FETCH.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        String items = m.group(2);
        Matcher u = UID.matcher(items);
        Matcher f = FLAGS.matcher(items);
        Matcher ms = MODSEQ.matcher(items);
        return Optional.of(new Fetch(
                Long.parseLong(m.group(1)),
                u.find() ? Long.parseLong(u.group(1)) : 0,
                f.find() ? Flags.parse(f.group(1)) : null,
                ms.find() ? Long.parseLong(ms.group(1)) : 0));
    }

    /** The MODSEQ of the first FETCH among the lines that carries one, e.g. a STORE's answer; fails if none does. */
    public static long fetchModSeq(List<String> lines) {
        return lines.stream()
                .map(ImapLines::fetch)
                .flatMap(Optional::stream)
                .mapToLong(Fetch::modSeq)
                .filter(m -> m > 0)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no FETCH with MODSEQ in " + shorten(lines)));
    }

    /** The MODSEQ of the last FETCH for {@code uid} among the lines; AssertionError when there is none. */
    public static long modSeqOf(List<String> lines, long uid) {
        return lines.stream()
                .map(ImapLines::fetch)
                .flatMap(Optional::stream)
                .filter(f -> f.uid() == uid)
                .mapToLong(Fetch::modSeq)
                .reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no FETCH for UID " + uid + ": " + lines));
    }

    /** Empty for any other line; a VANISHED line that is not a plain UID set fails (a client could not read it). */
    public static Optional<Vanished> vanished(String line) {
        if (!line.startsWith("* VANISHED ")) {
            return Optional.empty();
        }
        Matcher m = VANISHED.matcher(line);
        if (!m.matches()) {
            throw new AssertionError("malformed VANISHED: " + line);
        }
        return Optional.of(new Vanished(m.group(1) != null, UidSet.parse(m.group(2), 0)));
    }

    /** Lines a client that enabled QRESYNC must never see (RFC 7162 3.2.10: VANISHED replaces EXPUNGE). */
    public static boolean isExpunge(String line) {
        return EXPUNGE.matcher(line).matches();
    }

    public static long highestModSeq(List<String> lines) {
        return code("HIGHESTMODSEQ", lines);
    }

    public static long uidValidity(List<String> lines) {
        return code("UIDVALIDITY", lines);
    }

    /** The number in the first response code [name n] of the lines; fails when no line has one. */
    private static long code(String name, List<String> lines) {
        Pattern p = Pattern.compile("\\[" + name + " (\\d+)]");
        for (String l : lines) {
            Matcher m = p.matcher(l);
            if (m.find()) {
                return Long.parseLong(m.group(1));
            }
        }
        throw new AssertionError("no [" + name + " n] in " + shorten(lines));
    }

    /** Last line of a command's output: the tagged answer. */
    public static String tagged(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    /** For failure messages: the first and last lines of a long response. */
    public static String shorten(List<String> lines) {
        if (lines.size() <= 14) {
            return String.join("\n", lines);
        }
        return String.join("\n", lines.subList(0, 10)) + "\n... (" + (lines.size() - 13) + " more)\n"
                + String.join("\n", lines.subList(lines.size() - 3, lines.size()));
    }
}

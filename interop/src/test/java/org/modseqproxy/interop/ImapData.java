package org.modseqproxy.interop;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the data items tests compare out of raw response lines: UID, FLAGS, MODSEQ of a FETCH, sequence
 * sets, numeric response codes. Flags are compared as a client would: as a set, system flags
 * case-insensitively, without the per-session {@code \Recent}.
 */
final class ImapData {

    private static final Pattern FETCH = Pattern.compile("^\\* (\\d+) FETCH \\(");
    private static final Pattern UID = Pattern.compile("[( ]UID (\\d+)");
    private static final Pattern FLAGS = Pattern.compile("[( ]FLAGS \\(([^)]*)\\)");
    private static final Pattern MODSEQ = Pattern.compile("[( ]MODSEQ \\((\\d+)\\)");
    private static final Pattern MESSAGE_ID = Pattern.compile("(?i)Message-ID:\\s*<([^>]+)>");

    private ImapData() {}

    static boolean isFetch(String line) {
        return FETCH.matcher(line).find();
    }

    /** The message sequence number of "* n FETCH (...)". */
    static long seq(String fetchLine) {
        Matcher m = FETCH.matcher(fetchLine);
        if (!m.find()) {
            throw new IllegalArgumentException("not a FETCH response: " + fetchLine);
        }
        return Long.parseLong(m.group(1));
    }

    static Optional<Long> uid(String fetchLine) {
        Matcher m = UID.matcher(fetchLine);
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    static Optional<Long> modSeq(String fetchLine) {
        Matcher m = MODSEQ.matcher(fetchLine);
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    /** The FLAGS of a FETCH line, normalized (see {@link #normalize}); empty when the line has none. */
    static Optional<SortedSet<String>> flags(String fetchLine) {
        Matcher m = FLAGS.matcher(fetchLine);
        if (!m.find()) {
            return Optional.empty();
        }
        String list = m.group(1).trim();
        return Optional.of(normalize(list.isEmpty() ? java.util.List.of() : java.util.List.of(list.split("\\s+"))));
    }

    /**
     * System flags get one spelling (RFC 9051 2.3.2: flag names are case-insensitive), keywords stay as
     * they are, {@code \Recent} goes (it belongs to a session, never to a mod-sequence).
     */
    static SortedSet<String> normalize(Collection<String> flags) {
        SortedSet<String> out = new TreeSet<>();
        for (String flag : flags) {
            if (flag.startsWith("\\")) {
                String lower = flag.toLowerCase(Locale.ROOT);
                if (!lower.equals("\\recent")) {
                    out.add("\\" + Character.toUpperCase(lower.charAt(1)) + lower.substring(2));
                }
            } else if (!flag.isEmpty()) {
                out.add(flag);
            }
        }
        return out;
    }

    /** The Message-ID of a FETCH line that carries BODY[HEADER.FIELDS (MESSAGE-ID)] (literal inlined). */
    static Optional<String> messageId(String fetchLine) {
        Matcher m = MESSAGE_ID.matcher(fetchLine);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** "1:3,7" -> {1, 2, 3, 7}; no "*" (the sets servers send are explicit). */
    static SortedSet<Long> uidSet(String set) {
        SortedSet<Long> out = new TreeSet<>();
        for (String part : set.split(",")) {
            int colon = part.indexOf(':');
            if (colon < 0) {
                out.add(Long.parseLong(part));
            } else {
                long a = Long.parseLong(part.substring(0, colon));
                long b = Long.parseLong(part.substring(colon + 1));
                for (long uid = Math.min(a, b); uid <= Math.max(a, b); uid++) {
                    out.add(uid);
                }
            }
        }
        return out;
    }

    /** {1, 2, 3, 7} -> "1:3,7"; the known-uids argument of QRESYNC. */
    static String toSet(Collection<Long> uids) {
        StringBuilder out = new StringBuilder();
        Long start = null;
        Long prev = null;
        for (long uid : new TreeSet<>(uids)) {
            if (prev != null && uid == prev + 1) {
                prev = uid;
                continue;
            }
            appendRange(out, start, prev);
            start = uid;
            prev = uid;
        }
        appendRange(out, start, prev);
        return out.toString();
    }

    private static void appendRange(StringBuilder out, Long start, Long end) {
        if (start == null) {
            return;
        }
        if (out.length() > 0) {
            out.append(',');
        }
        out.append(start);
        if (!end.equals(start)) {
            out.append(':').append(end);
        }
    }

    /** The number in a response code "[NAME n]" anywhere in the reply (untagged or tagged), if present. */
    static Optional<Long> code(ImapReply reply, String name) {
        Pattern p = Pattern.compile("\\[" + Pattern.quote(name) + " (\\d+)\\]");
        for (String line : reply.untagged()) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                return Optional.of(Long.parseLong(m.group(1)));
            }
        }
        Matcher m = p.matcher(reply.tagged());
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    /** Like {@link #code} but fails with the whole reply when the code is missing. */
    static long requireCode(ImapReply reply, String name) {
        return code(reply, name).orElseThrow(() -> new AssertionError("no [" + name + " n] in:\n" + reply));
    }
}

package org.modseqproxy.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what a client saw into the lines a native CONDSTORE/QRESYNC server and the proxy must agree on, line by line.
 * Everything the RFCs let two correct servers answer differently is normalised HERE and only here, each rule with
 * its section:
 * <ul>
 *   <li>mod-sequence values (MODSEQ, HIGHESTMODSEQ, UNCHANGEDSINCE echoes): server-chosen numbers, only their presence
 *       is compared (RFC 7162 3.1.1, 3.1.2.1); that each world's own values work for CHANGEDSINCE and QRESYNC is what
 *       the transcript then checks;</li>
 *   <li>UIDVALIDITY values, also inside APPENDUID/COPYUID: chosen by each server (RFC 9051 2.3.1.1);</li>
 *   <li>human-readable text after a status or response code (RFC 9051 7.1);</li>
 *   <li>the order of items inside one FETCH response (RFC 9051 7.5.2) and the order of flags in a list;</li>
 *   <li>\Recent: per session, and the proxy's own backend sessions see messages first (RFC 9051 removed it);</li>
 *   <li>HIGHESTMODSEQ in the tagged OK of a command that expunged nothing (see {@link #normalize});</li>
 *   <li>FETCH and VANISHED (EARLIER) of a message that vanishes in the same answer (see {@link #withoutVanishing});</li>
 *   <li>VANISHED (EARLIER) for UIDs the client was never shown (see {@link #earlierSeen});</li>
 *   <li>a FETCH of a message expunged elsewhere that only one world sent (see {@link #withoutOneSidedGone});</li>
 *   <li>several FETCH lines about one message in one answer, and their order (see {@link #mergeFetchRuns});</li>
 *   <li>the order of a SELECT answer's state lines (see {@link #selectAnswer});</li>
 *   <li>lines that carry nothing about mod-sequences or message state: FLAGS, PERMANENTFLAGS, RECENT, UNSEEN,
 *       CAPABILITY, ENABLED, LIST, codes such as MYRIGHTS/MAILBOXID, and an untagged OK without a code.</li>
 * </ul>
 * What remains (EXISTS, EXPUNGE, VANISHED, FETCH with UID/FLAGS/MODSEQ presence, SEARCH results, STATUS counts,
 * CLOSED, NOMODSEQ, MODIFIED sets, UIDNEXT, tagged status and code names) must be identical.
 */
final class TranscriptNormalizer {
    private TranscriptNormalizer() {}

    private static final Pattern FETCH = Pattern.compile("^\\* (\\d+) FETCH \\((.*)\\)$");
    private static final Pattern CODE = Pattern.compile("^\\[([A-Z0-9-]+)( [^\\]]*)?\\]");
    private static final Pattern FETCH_UID = Pattern.compile("^\\* \\d+ FETCH \\(UID (\\d+)");
    private static final Pattern TAGGED = Pattern.compile("^(\\S+) (OK|NO|BAD) ?(.*)$");

    /**
     * The comparable lines of one command's answer (untagged lines, then the tagged one). {@code expunging}: the
     * command was EXPUNGE, UID EXPUNGE or MOVE, whose tagged OK must carry HIGHESTMODSEQ after ENABLE QRESYNC when it
     * removed messages (RFC 7162 3.2.7). Any other tagged OK may or may not carry one: Dovecot volunteers it whenever
     * the mailbox changed during the command, which no RFC asks for. {@code qresync}: the session enabled QRESYNC;
     * before that, UID in an untagged FETCH is not compared: RFC 7162 3.2.4 has a QRESYNC server add it once any
     * CONDSTORE enabling command was issued (the proxy does), Dovecot adds it only after ENABLE QRESYNC.
     */
    static List<String> normalize(ImapReply reply, boolean expunging, boolean qresync, java.util.Set<Long> seen) {
        List<String> out = new ArrayList<>();
        for (String line : reply.untagged()) {
            String n = untagged(line);
            if (n != null && seen != null && n.startsWith("* VANISHED (EARLIER) ")) {
                n = earlierSeen(n, seen);
            }
            if (n != null && !qresync) {
                n = n.replaceFirst("^(\\* \\d+ FETCH \\()UID \\d+ ", "$1");
            }
            if (n != null) {
                out.add(n);
            }
        }
        Matcher t = TAGGED.matcher(reply.tagged());
        String tagged = t.matches() ? "TAGGED " + t.group(2) + code(t.group(3)) : "TAGGED ? " + reply.tagged();
        if (!expunging) {
            tagged = tagged.replace(" [HIGHESTMODSEQ]", "");
        }
        out = mergeFetchRuns(withoutVanishing(out));
        if (tagged.contains("[READ-WRITE]") || tagged.contains("[READ-ONLY]")) {
            out = selectAnswer(out);
        }
        out.add(tagged);
        return out;
    }

    /**
     * A message that vanishes (VANISHED without EARLIER) in an answer: its FETCH and VANISHED (EARLIER) lines in that
     * same answer are not compared. Another session expunged it; Dovecot still reports the session's last view of it
     * (its flags, and even its UID in VANISHED (EARLIER)) before pushing the expunge, the proxy only the expunge. A
     * client removes the message either way (RFC 7162 3.2.10).
     */
    private static List<String> withoutVanishing(List<String> lines) {
        org.modseqproxy.state.UidSet vanishing = vanishing(lines);
        if (vanishing.isEmpty()) {
            return lines;
        }
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            Matcher uid = Pattern.compile("^\\* \\d+ FETCH \\(UID (\\d+)").matcher(l);
            if (uid.find() && vanishing.contains(Long.parseLong(uid.group(1)))) {
                continue;
            }
            if (l.startsWith("* VANISHED (EARLIER) ")) {
                org.modseqproxy.state.UidSet rest = org.modseqproxy.state.UidSet.parse(
                                l.substring("* VANISHED (EARLIER) ".length()), 1)
                        .minus(vanishing);
                if (!rest.isEmpty()) {
                    out.add("* VANISHED (EARLIER) " + rest.toImapString());
                }
                continue;
            }
            out.add(l);
        }
        return out;
    }

    /**
     * FETCH lines about a message another session expunged, in answers that may not tell this session so yet (RFC
     * 9051 7.5.1: no EXPUNGE during FETCH, STORE or SEARCH): a server may show the message's last state or nothing
     * (RFC 2180 4.1.1, 4.1.3). Dovecot repeats it in each answer until the expunge is told; the proxy relays what its
     * backend session sends. Such a line that only one world sent is not compared; where both sent one, they must
     * agree. {@code mine} without those of its lines about a {@code gone} UID that {@code theirs} never mentions.
     */
    static List<String> withoutOneSidedGone(List<String> mine, List<String> theirs, java.util.Set<Long> gone) {
        if (gone.isEmpty()) {
            return mine;
        }
        java.util.Set<Long> mentioned = new java.util.HashSet<>();
        theirs.forEach(l -> fetchUid(l).ifPresent(mentioned::add));
        List<String> out = new ArrayList<>();
        for (String l : mine) {
            java.util.Optional<Long> uid = fetchUid(l);
            if (uid.isEmpty() || !gone.contains(uid.get()) || mentioned.contains(uid.get())) {
                out.add(l);
            }
        }
        return out;
    }

    private static java.util.Optional<Long> fetchUid(String normalizedLine) {
        Matcher m = FETCH_UID.matcher(normalizedLine);
        return m.find() ? java.util.Optional.of(Long.parseLong(m.group(1))) : java.util.Optional.empty();
    }

    /** The UIDs an answer reports as vanishing now ("* VANISHED" without EARLIER, RFC 7162 3.2.10). */
    static org.modseqproxy.state.UidSet vanishing(List<String> lines) {
        org.modseqproxy.state.UidSet.Builder b = new org.modseqproxy.state.UidSet.Builder();
        for (String l : lines) {
            if (l.startsWith("* VANISHED ") && !l.startsWith("* VANISHED (EARLIER)")) {
                b.addAll(org.modseqproxy.state.UidSet.parse(l.substring("* VANISHED ".length()), 1));
            }
        }
        return b.build();
    }

    /**
     * VANISHED (EARLIER) compared on the UIDs the client was ever shown: RFC 7162 3.2.5.1 and 3.2.6 let a server name
     * UIDs the client never saw (or leave them out); a client can only act on those it holds. Native Dovecot names
     * messages that appeared and vanished between two of the client's commands; the proxy only those a mod-sequence
     * session of the proxy was shown. Null when nothing seen is left.
     */
    private static String earlierSeen(String line, java.util.Set<Long> seen) {
        org.modseqproxy.state.UidSet set =
                org.modseqproxy.state.UidSet.parse(line.substring("* VANISHED (EARLIER) ".length()), 1);
        org.modseqproxy.state.UidSet.Builder b = new org.modseqproxy.state.UidSet.Builder();
        seen.stream().filter(set::contains).forEach(b::add);
        org.modseqproxy.state.UidSet kept = b.build();
        return kept.isEmpty() ? null : "* VANISHED (EARLIER) " + kept.toImapString();
    }

    /**
     * In a run of consecutive FETCH lines (nothing that renumbers messages in between), lines about one message are
     * merged, the last one winning, and the run is sorted by message number. A server may report another session's
     * change before or after the command's own answer, or both (RFC 9051 7.4: untagged status updates may come at any
     * time; 7.5.2 orders no FETCH responses): Dovecot answers from the state at the command's start and then pushes the
     * update, the proxy asks the backend first and answers with the new state. What a client ends up with is the same.
     */
    private static List<String> mergeFetchRuns(List<String> lines) {
        List<String> out = new ArrayList<>();
        java.util.TreeMap<Integer, String> run = new java.util.TreeMap<>();
        for (String l : lines) {
            Matcher m = Pattern.compile("^\\* (\\d+) FETCH ").matcher(l);
            if (m.find()) {
                run.put(Integer.parseInt(m.group(1)), l);
                continue;
            }
            out.addAll(run.values());
            run.clear();
            out.add(l);
        }
        out.addAll(run.values());
        return out;
    }

    /**
     * A SELECT/EXAMINE answer's state lines (EXISTS, UIDNEXT, HIGHESTMODSEQ, NOMODSEQ) come in any order (RFC 9051
     * 6.3.1 lists them without one): compared sorted, after CLOSED (which must come first, RFC 7162 3.2.11) and before
     * the QRESYNC answer's VANISHED and FETCH lines, whose own order is kept.
     */
    private static List<String> selectAnswer(List<String> lines) {
        List<String> closed = new ArrayList<>();
        List<String> state = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("* OK [CLOSED]")) {
                closed.add(l);
            } else if (l.endsWith(" EXISTS")
                    || l.startsWith("* OK [UIDNEXT")
                    || l.startsWith("* OK [HIGHESTMODSEQ")
                    || l.startsWith("* OK [NOMODSEQ")) {
                state.add(l);
            } else {
                rest.add(l);
            }
        }
        state.sort(null);
        List<String> out = new ArrayList<>(closed);
        out.addAll(state);
        out.addAll(rest);
        return out;
    }

    private static String untagged(String line) {
        if (!line.startsWith("* ")) {
            return line.startsWith("+") ? "+" : line;
        }
        String rest = line.substring(2);
        String upper = rest.toUpperCase(Locale.ROOT);
        Matcher f = FETCH.matcher(line);
        if (f.matches()) {
            return "* " + f.group(1) + " FETCH " + fetchItems(f.group(2));
        }
        if (upper.matches("\\d+ (EXISTS|EXPUNGE)")) {
            return line;
        }
        if (upper.startsWith("VANISHED")) {
            return line;
        }
        if (upper.startsWith("SEARCH")) {
            return "* " + rest.replaceAll("(?i)\\(MODSEQ \\d+\\)", "(MODSEQ m)");
        }
        if (upper.startsWith("ESEARCH")) {
            return "* " + rest.replaceAll("(?i)MODSEQ \\d+", "MODSEQ m");
        }
        if (upper.startsWith("STATUS")) {
            return "* " + rest.replaceAll("(?i)HIGHESTMODSEQ \\d+", "HIGHESTMODSEQ m");
        }
        if (upper.startsWith("OK [") || upper.startsWith("NO [") || upper.startsWith("BAD [")) {
            String c = code(rest.substring(rest.indexOf(' ') + 1));
            return switch (c.trim().split(" ")[0]) {
                case "[CLOSED]", "[NOMODSEQ]", "[HIGHESTMODSEQ]", "[UIDNEXT", "[COPYUID", "[MODIFIED" ->
                    "* " + rest.substring(0, 2).trim() + c;
                default -> null;
            };
        }
        if (upper.startsWith("BYE")) {
            return "* BYE";
        }
        return null; // FLAGS, RECENT, CAPABILITY, ENABLED, LIST, OK text, ...
    }

    /** " [NAME args]" with mod-sequences and UIDVALIDITY values replaced; "" without a code. */
    private static String code(String text) {
        Matcher m = CODE.matcher(text == null ? "" : text);
        if (!m.find()) {
            return "";
        }
        String name = m.group(1).toUpperCase(Locale.ROOT);
        String args = m.group(2) == null ? "" : m.group(2).trim();
        return switch (name) {
            case "HIGHESTMODSEQ" -> " [HIGHESTMODSEQ]";
            case "APPENDUID", "COPYUID" -> " [" + name + " uv" + args.substring(Math.max(0, args.indexOf(' '))) + "]";
            case "MODIFIED", "UIDNEXT", "CLOSED", "NOMODSEQ", "READ-WRITE", "READ-ONLY", "TRYCREATE", "NONEXISTENT" ->
                " [" + name + (args.isEmpty() ? "" : " " + args) + "]";
            default -> "";
        };
    }

    /** UID, FLAGS (sorted, without \Recent) and whether MODSEQ is there, in that order. */
    private static String fetchItems(String items) {
        String uid = null;
        String flags = null;
        boolean modseq = false;
        Matcher u = Pattern.compile("(?i)(?:^|[ (])UID (\\d+)").matcher(items);
        if (u.find()) {
            uid = u.group(1);
        }
        Matcher fl = Pattern.compile("(?i)FLAGS \\(([^)]*)\\)").matcher(items);
        if (fl.find()) {
            TreeSet<String> set = new TreeSet<>();
            for (String x : fl.group(1).trim().split(" +")) {
                if (!x.isEmpty() && !x.equalsIgnoreCase("\\Recent")) {
                    set.add(x);
                }
            }
            flags = String.join(" ", set);
        }
        modseq = Pattern.compile("(?i)MODSEQ \\(\\d+\\)").matcher(items).find();
        return "(" + (uid == null ? "" : "UID " + uid + " ") + (flags == null ? "" : "FLAGS (" + flags + ") ")
                + (modseq ? "MODSEQ m" : "") + ")";
    }
}

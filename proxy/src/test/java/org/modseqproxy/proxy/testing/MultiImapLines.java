package org.modseqproxy.proxy.testing;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.modseqproxy.state.UidSet;

/**
 * Reads what a client sees in IMAP response lines (as {@link RawImap} returns them): FETCH items, response codes,
 * VANISHED sets. Flags are compared as sets without {@code \Recent} (per session, RFC 9051 2.3.2).
 */
public final class MultiImapLines {
  private static final Pattern FETCH = Pattern.compile("^\\* (\\d+) FETCH \\((.*)\\)$");
  private static final Pattern UID = Pattern.compile("(?:^|[ (])UID (\\d+)");
  private static final Pattern FLAGS = Pattern.compile("(?:^|[ (])FLAGS \\(([^)]*)\\)");
  private static final Pattern MODSEQ = Pattern.compile("MODSEQ \\((\\d+)\\)");
  private static final Pattern HMS = Pattern.compile("\\[HIGHESTMODSEQ (\\d+)]");
  private static final Pattern UIDVALIDITY = Pattern.compile("\\[UIDVALIDITY (\\d+)]");

  private MultiImapLines() {}

  /** One untagged FETCH as a client reads it; uid/modSeq are 0 and flags null when the line lacks them. */
  public record Fetch(long seq, long uid, Set<String> flags, long modSeq) {}

  public static Optional<Fetch> fetch(String line) {
    Matcher m = FETCH.matcher(line);
    if (!m.matches()) {
      return Optional.empty();
    }
    String items = m.group(2);
    Matcher u = UID.matcher(items);
    Matcher f = FLAGS.matcher(items);
    Matcher ms = MODSEQ.matcher(items);
    return Optional.of(new Fetch(Long.parseLong(m.group(1)),
        u.find() ? Long.parseLong(u.group(1)) : 0,
        f.find() ? flags(f.group(1)) : null,
        ms.find() ? Long.parseLong(ms.group(1)) : 0));
  }

  /** "\Seen \Recent $X" -> {\Seen, $X} (case kept as the server sent it). */
  public static Set<String> flags(String spaceSeparated) {
    Set<String> s = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (String f : spaceSeparated.trim().split("\\s+")) {
      if (!f.isEmpty() && !f.equalsIgnoreCase("\\Recent")) {
        s.add(f);
      }
    }
    return s;
  }

  public static long highestModSeq(List<String> lines) {
    return code(HMS, lines).orElseThrow(() -> new AssertionError("no HIGHESTMODSEQ in " + lines));
  }

  public static long uidValidity(List<String> lines) {
    return code(UIDVALIDITY, lines).orElseThrow(() -> new AssertionError("no UIDVALIDITY in " + lines));
  }

  private static Optional<Long> code(Pattern p, List<String> lines) {
    for (String l : lines) {
      Matcher m = p.matcher(l);
      if (m.find()) {
        return Optional.of(Long.parseLong(m.group(1)));
      }
    }
    return Optional.empty();
  }

  /** UIDs of a "* VANISHED [(EARLIER)] set" line, or null when the line is something else. */
  public static UidSet vanished(String line) {
    if (!line.startsWith("* VANISHED ")) {
      return null;
    }
    String rest = line.substring("* VANISHED ".length());
    if (rest.startsWith("(EARLIER) ")) {
      rest = rest.substring("(EARLIER) ".length());
    }
    return UidSet.parse(rest.trim(), Long.MAX_VALUE >> 12);
  }

  public static boolean isEarlier(String line) {
    return line.startsWith("* VANISHED (EARLIER) ");
  }

  /** For failure messages: the first and last lines of a long response. */
  public static String shorten(List<String> lines) {
    if (lines.size() <= 14) {
      return String.join("\n", lines);
    }
    return String.join("\n", lines.subList(0, 10)) + "\n... (" + (lines.size() - 13) + " more)\n"
        + String.join("\n", lines.subList(lines.size() - 3, lines.size()));
  }

  /** Last line of a command's output: the tagged answer. */
  public static String tagged(List<String> lines) {
    return lines.get(lines.size() - 1);
  }

  /** Lines a client that enabled QRESYNC must never see (RFC 7162 3.2.10: VANISHED replaces EXPUNGE). */
  public static boolean isExpunge(String line) {
    return line.matches("\\* \\d+ EXPUNGE");
  }
}

package org.modseqproxy.proxy.testing;

import java.util.List;
import java.util.Optional;
<<<<<<< HEAD
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.UidSet;

/** Reads what tests need out of IMAP response lines: FETCH items, VANISHED sets, response-code numbers. */
=======
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.modseqproxy.state.UidSet;

/**
 * Reads what a client sees in IMAP response lines (as {@link RawImap} returns them): FETCH items, response codes,
 * VANISHED sets. Flags are compared as sets without {@code \Recent} (per session, RFC 9051 2.3.2).
 */
>>>>>>> wt-multi
public final class ImapLines {
  private static final Pattern FETCH = Pattern.compile("^\\* (\\d+) FETCH \\((.*)\\)$");
  private static final Pattern UID = Pattern.compile("(?:^|[ (])UID (\\d+)");
  private static final Pattern FLAGS = Pattern.compile("(?:^|[ (])FLAGS \\(([^)]*)\\)");
<<<<<<< HEAD
  private static final Pattern MODSEQ = Pattern.compile("(?:^|[ (])MODSEQ \\((\\d+)\\)");
  private static final Pattern VANISHED = Pattern.compile("^\\* VANISHED (\\(EARLIER\\) )?([0-9:,]+)$");

  private ImapLines() {}

  /** One untagged FETCH; uid and modSeq are -1 and flags null when the item is absent. */
  public record Fetch(long seq, long uid, Flags flags, long modSeq) {}

  /** A "* VANISHED [(EARLIER)] set" line. */
  public record Vanished(boolean earlier, UidSet uids) {}
=======
  private static final Pattern MODSEQ = Pattern.compile("MODSEQ \\((\\d+)\\)");
  private static final Pattern HMS = Pattern.compile("\\[HIGHESTMODSEQ (\\d+)]");
  private static final Pattern UIDVALIDITY = Pattern.compile("\\[UIDVALIDITY (\\d+)]");

  private ImapLines() {}

  /** One untagged FETCH as a client reads it; uid/modSeq are 0 and flags null when the line lacks them. */
  public record Fetch(long seq, long uid, Set<String> flags, long modSeq) {}
>>>>>>> wt-multi

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
<<<<<<< HEAD
        u.find() ? Long.parseLong(u.group(1)) : -1,
        f.find() ? Flags.parse(f.group(1)) : null,
        ms.find() ? Long.parseLong(ms.group(1)) : -1));
  }

  public static Optional<Vanished> vanished(String line) {
    Matcher m = VANISHED.matcher(line);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new Vanished(m.group(1) != null, UidSet.parse(m.group(2), 0)));
  }

  /** The number in a response code such as [HIGHESTMODSEQ n] or [UIDVALIDITY n], if any line has it. */
  public static Optional<Long> code(String name, List<String> lines) {
    Pattern p = Pattern.compile("\\[" + name + " (\\d+)]");
=======
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
>>>>>>> wt-multi
    for (String l : lines) {
      Matcher m = p.matcher(l);
      if (m.find()) {
        return Optional.of(Long.parseLong(m.group(1)));
      }
    }
    return Optional.empty();
  }

<<<<<<< HEAD
  public static long requireCode(String name, List<String> lines) {
    return code(name, lines).orElseThrow(() -> new AssertionError("no [" + name + " n] in " + lines));
  }

  public static String last(List<String> lines) {
    return lines.get(lines.size() - 1);
  }

  /**
   * The backend's truth, read directly from it (bypassing the proxy): UID -> flags of every message of the mailbox,
   * \Recent dropped (it is per session). Uses EXAMINE so nothing changes on the way.
   */
  public static TreeMap<Long, Flags> truth(String host, int port, String user, String password, String mailbox) {
    try (RawImap direct = RawImap.connect(host, port)) {
      direct.login(user, password);
      List<String> sel = direct.command("t1", "EXAMINE " + mailbox);
      if (!last(sel).startsWith("t1 OK")) {
        throw new AssertionError("EXAMINE " + mailbox + " failed: " + sel);
      }
      TreeMap<Long, Flags> out = new TreeMap<>();
      boolean empty = sel.stream().anyMatch(l -> l.equals("* 0 EXISTS"));
      if (!empty) {
        List<String> rows = direct.command("t2", "UID FETCH 1:* (FLAGS)");
        if (!last(rows).startsWith("t2 OK")) {
          throw new AssertionError("UID FETCH failed: " + rows);
        }
        for (String l : rows) {
          fetch(l).ifPresent(f -> out.put(f.uid(), f.flags()));
        }
      }
      direct.command("t3", "LOGOUT");
      return out;
    }
=======
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
>>>>>>> wt-multi
  }
}

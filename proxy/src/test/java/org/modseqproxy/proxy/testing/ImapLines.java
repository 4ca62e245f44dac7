package org.modseqproxy.proxy.testing;

import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.UidSet;

/** Reads what tests need out of IMAP response lines: FETCH items, VANISHED sets, response-code numbers. */
public final class ImapLines {
  private static final Pattern FETCH = Pattern.compile("^\\* (\\d+) FETCH \\((.*)\\)$");
  private static final Pattern UID = Pattern.compile("(?:^|[ (])UID (\\d+)");
  private static final Pattern FLAGS = Pattern.compile("(?:^|[ (])FLAGS \\(([^)]*)\\)");
  private static final Pattern MODSEQ = Pattern.compile("(?:^|[ (])MODSEQ \\((\\d+)\\)");
  private static final Pattern VANISHED = Pattern.compile("^\\* VANISHED (\\(EARLIER\\) )?([0-9:,]+)$");

  private ImapLines() {}

  /** One untagged FETCH; uid and modSeq are -1 and flags null when the item is absent. */
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
    return Optional.of(new Fetch(Long.parseLong(m.group(1)),
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
    for (String l : lines) {
      Matcher m = p.matcher(l);
      if (m.find()) {
        return Optional.of(Long.parseLong(m.group(1)));
      }
    }
    return Optional.empty();
  }

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
  }
}

package org.modseqproxy.proxy.testing;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the backend really holds, read directly from it (bypassing every proxy): {@code UID FETCH 1:* (FLAGS)}. The
 * reference every resync through the proxy is compared with.
 */
public final class BackendTruth {
  private BackendTruth() {}

  /** uid -> flags (without \Recent) of one mailbox, read over a fresh direct connection. */
  public static Map<Long, Set<String>> flags(String host, int port, String user, String password, String mailbox) {
    try (RawImap direct = RawImap.connect(host, port)) {
      direct.login(user, password);
      List<String> sel = direct.command("t1", "EXAMINE " + mailbox);
      if (!MultiImapLines.tagged(sel).startsWith("t1 OK")) {
        throw new AssertionError("EXAMINE failed on the backend: " + sel);
      }
      boolean empty = sel.stream().anyMatch(l -> l.equals("* 0 EXISTS"));
      Map<Long, Set<String>> out = new TreeMap<>();
      if (!empty) {
        for (String l : direct.command("t2", "UID FETCH 1:* (FLAGS)")) {
          MultiImapLines.fetch(l).filter(f -> f.uid() > 0 && f.flags() != null).ifPresent(f -> out.put(f.uid(), f.flags()));
        }
      }
      direct.ok("t3", "LOGOUT");
      return out;
    }
  }

  /** "" when equal, else one line per UID whose flags differ or that only one side has. */
  public static String diff(Map<Long, Set<String>> truth, Map<Long, Set<String>> view) {
    StringBuilder b = new StringBuilder();
    java.util.TreeSet<Long> uids = new java.util.TreeSet<>(truth.keySet());
    uids.addAll(view.keySet());
    for (long uid : uids) {
      Set<String> t = truth.get(uid);
      Set<String> v = view.get(uid);
      if (t == null || v == null || !t.equals(v)) {
        b.append("UID ").append(uid).append(": backend ").append(t == null ? "(none)" : t)
            .append(", client ").append(v == null ? "(none)" : v).append('\n');
      }
    }
    return b.toString();
  }

  /** UIDVALIDITY of a mailbox, read directly from the backend. */
  public static long uidValidity(String host, int port, String user, String password, String mailbox) {
    try (RawImap direct = RawImap.connect(host, port)) {
      direct.login(user, password);
      long uv = MultiImapLines.uidValidity(direct.command("t1", "EXAMINE " + mailbox));
      direct.ok("t2", "LOGOUT");
      return uv;
    }
  }
}

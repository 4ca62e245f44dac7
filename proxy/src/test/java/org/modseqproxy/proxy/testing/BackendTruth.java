package org.modseqproxy.proxy.testing;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.modseqproxy.state.Flags;

/**
 * What the backend really holds, read directly from it (bypassing every proxy): {@code UID FETCH 1:* (FLAGS)}. The
 * reference every resync through the proxy is compared with.
 */
public final class BackendTruth {
    private BackendTruth() {}

    /**
     * uid -> flags of one mailbox, read over a fresh direct connection. EXAMINE, so reading changes nothing (not even
     * \Seen); {@link Flags} drop \Recent, which is per session.
     */
    public static TreeMap<Long, Flags> flags(String host, int port, String user, String password, String mailbox) {
        try (RawImap direct = RawImap.connect(host, port)) {
            direct.login(user, password);
            List<String> sel = direct.command("t1", "EXAMINE " + mailbox);
            if (!ImapLines.tagged(sel).startsWith("t1 OK")) {
                throw new AssertionError("EXAMINE " + mailbox + " failed on the backend: " + sel);
            }
            boolean empty = sel.stream().anyMatch(l -> l.equals("* 0 EXISTS"));
            TreeMap<Long, Flags> out = new TreeMap<>();
            if (!empty) {
                List<String> rows = direct.command("t2", "UID FETCH 1:* (FLAGS)");
                if (!ImapLines.tagged(rows).startsWith("t2 OK")) {
                    throw new AssertionError("UID FETCH failed on the backend: " + ImapLines.shorten(rows));
                }
                for (String l : rows) {
                    ImapLines.fetch(l)
                            .filter(f -> f.uid() > 0 && f.flags() != null)
                            .ifPresent(f -> out.put(f.uid(), f.flags()));
                }
            }
            direct.ok("t3", "LOGOUT");
            return out;
        }
    }

    /** "" when equal, else one line per UID whose flags differ or that only one side has. */
    public static String diff(Map<Long, Flags> truth, Map<Long, Flags> view) {
        StringBuilder b = new StringBuilder();
        TreeSet<Long> uids = new TreeSet<>(truth.keySet());
        uids.addAll(view.keySet());
        for (long uid : uids) {
            Flags t = truth.get(uid);
            Flags v = view.get(uid);
            if (t == null || v == null || !t.equals(v)) {
                b.append("UID ")
                        .append(uid)
                        .append(": backend ")
                        .append(t == null ? "(none)" : t.toImap())
                        .append(", client ")
                        .append(v == null ? "(none)" : v.toImap())
                        .append('\n');
            }
        }
        return b.toString();
    }

    /** UIDVALIDITY of a mailbox, read directly from the backend. */
    public static long uidValidity(String host, int port, String user, String password, String mailbox) {
        try (RawImap direct = RawImap.connect(host, port)) {
            direct.login(user, password);
            long uv = ImapLines.uidValidity(direct.command("t1", "EXAMINE " + mailbox));
            direct.ok("t2", "LOGOUT");
            return uv;
        }
    }
}

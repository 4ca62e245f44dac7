package org.modseqproxy.proxy.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.UidSet;

/**
 * The cache of a QRESYNC client (RFC 7162 3.2.5, 6): uid -> flags plus the HIGHESTMODSEQ it is valid for. It is
 * filled by a full resync and brought up to date by {@code SELECT mailbox (QRESYNC (uv modseq known-uids))} through a
 * proxy, exactly as a client would: VANISHED (EARLIER) removes, FETCH puts. Immutable; every resync returns a new one.
 */
public record QresyncClient(long uidValidity, long highestModSeq, Map<Long, Flags> cache) {

    /** The outcome of one resync: the updated cache and what the proxy sent to produce it. */
    public record Resync(
            QresyncClient after,
            List<String> lines,
            UidSet vanished,
            Map<Long, Long> fetchedModSeqs,
            List<String> problems) {

        /** The message count a client derives from the answer: the last EXISTS minus EXPUNGEs and VANISHED after it. */
        public long exists() {
            long n = -1;
            for (String l : lines) {
                if (l.matches("\\* \\d+ EXISTS")) {
                    n = Long.parseLong(l.split(" ")[1]);
                } else if (ImapLines.isExpunge(l)) {
                    n--;
                } else {
                    n -= ImapLines.vanished(l)
                            .filter(v -> !v.earlier())
                            .map(v -> v.uids().size())
                            .orElse(0L);
                }
            }
            return n;
        }

        /** After a full resync the client knows exactly EXISTS messages (else its sequence numbers are off). */
        public boolean consistent() {
            return exists() == after.cache().size();
        }
    }

    /**
     * A full resync: SELECT with QRESYNC from mod-sequence 1 makes the proxy send a FETCH for every message (all have a
     * higher mod-sequence). Needs {@code uidValidity} from an earlier SELECT.
     */
    public static Resync full(RawImap c, String mailbox, long uidValidity, String tag) {
        return new QresyncClient(uidValidity, 1, Map.of()).resync(c, mailbox, tag, false);
    }

    /** Connects, logs in, ENABLE QRESYNC, reads UIDVALIDITY with EXAMINE, then does a full resync. */
    public static Resync fullFrom(ProxyFixture proxy, String user, String password, String mailbox) {
        return fullFrom(proxy.connect(), user, password, mailbox);
    }

    /** Same over a fresh connection {@code c} (closed afterwards), e.g. to a proxy process. */
    public static Resync fullFrom(RawImap fresh, String user, String password, String mailbox) {
        try (RawImap c = fresh.login(user, password)) {
            c.ok("e", "ENABLE QRESYNC");
            long uv = ImapLines.uidValidity(c.command("s", "EXAMINE " + mailbox));
            Resync r = full(c, mailbox, uv, "f");
            c.ok("z", "LOGOUT");
            return r;
        }
    }

    /**
     * Resyncs over an authenticated connection with QRESYNC enabled. {@code sendKnownUids}: add the cached UIDs as the
     * known-uids argument (a client that sends none gets VANISHED for every UID it could know). Fails if the proxy
     * answers anything but OK or NOMODSEQ; an EXPUNGE (RFC 7162 3.2.10) or a FETCH at or below the asked mod-sequence
     * is listed in {@link Resync#problems()}.
     */
    public Resync resync(RawImap c, String mailbox, String tag, boolean sendKnownUids) {
        String known = "";
        if (sendKnownUids && !cache.isEmpty()) {
            UidSet.Builder b = new UidSet.Builder();
            cache.keySet().forEach(b::add);
            known = " " + b.build().toImapString();
        }
        List<String> lines = new ArrayList<>(
                c.command(tag, "SELECT " + mailbox + " (QRESYNC (" + uidValidity + " " + highestModSeq + known + "))"));
        String last = ImapLines.tagged(lines);
        if (!known.isEmpty() && last.startsWith(tag + " OK")) {
            // RFC 7162 3.2.5.1: with known-uids the answer covers only those messages; like a real client, fetch the
            // ones that arrived since ("n:*" always names the last message, so lines at or below n are dropped).
            long maxKnown = new TreeMap<>(cache).lastKey();
            for (String l : c.command(tag + "n", "UID FETCH " + (maxKnown + 1) + ":* (FLAGS MODSEQ)")) {
                if (ImapLines.fetch(l).map(f -> f.uid() > maxKnown).orElse(false)) {
                    lines.add(lines.size() - 1, l);
                }
            }
        }
        if (!last.startsWith(tag + " OK")) {
            throw new AssertionError("QRESYNC SELECT failed: " + ImapLines.shorten(lines));
        }
        if (lines.stream().anyMatch(l -> l.startsWith("* OK [NOMODSEQ]"))) {
            throw new AssertionError("NOMODSEQ answered: " + ImapLines.shorten(lines));
        }
        long uv = ImapLines.uidValidity(lines);
        long hms = ImapLines.highestModSeq(lines);
        Map<Long, Flags> next = new TreeMap<>(uv == uidValidity ? cache : Map.of());
        UidSet.Builder gone = new UidSet.Builder();
        Map<Long, Long> fetched = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (String l : lines) {
            if (ImapLines.isExpunge(l)) {
                problems.add("EXPUNGE sent to a QRESYNC client (RFC 7162 3.2.10): " + l);
                continue;
            }
            var v = ImapLines.vanished(l);
            if (v.isPresent()) {
                v.get().uids().stream().forEach(uid -> {
                    next.remove(uid);
                    gone.add(uid);
                });
                continue;
            }
            ImapLines.fetch(l).ifPresent(f -> {
                if (f.uid() <= 0 || f.flags() == null) {
                    throw new AssertionError("resync FETCH without UID/FLAGS: " + l);
                }
                if (uv == uidValidity && f.modSeq() <= highestModSeq) {
                    problems.add("FETCH with MODSEQ " + f.modSeq() + " not above " + highestModSeq + ": " + l);
                }
                next.put(f.uid(), f.flags());
                fetched.put(f.uid(), f.modSeq());
            });
        }
        return new Resync(new QresyncClient(uv, hms, next), new ArrayList<>(lines), gone.build(), fetched, problems);
    }

    public UidSet uids() {
        UidSet.Builder b = new UidSet.Builder();
        cache.keySet().forEach(b::add);
        return b.build();
    }
}

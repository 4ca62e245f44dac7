package org.modseqproxy.proxy.multi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.modseqproxy.proxy.testing.BackendTruth;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.QresyncClient;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.proxy.testing.TwoProxies;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.testing.RedisServerExtension;

/**
 * Issue 5, "Concurrency": two proxy instances (each with its OWN RedisModSeqStore built from the same redis:// URI, so
 * nothing is shared but Redis) in front of one GreenMail. Client A (instance 1) toggles \Seen, client B (instance 2)
 * toggles \Flagged, on the same messages of one mailbox, and each marks and expunges messages of its own parity. The
 * flags are partitioned between the writers, so every STORE a writer makes on a present message is a real change and
 * the writer knows the expected result. Meanwhile client C takes full QRESYNC snapshots through both instances.
 *
 * <p>Properties: (1) a writer's changes get strictly increasing MODSEQs; (2) no two changes share a MODSEQ; (3) a
 * change that completed before another was sent has the lower MODSEQ (real-time order); (4) the same (MODSEQ, UID) is
 * never reported with two different flag sets; (5) afterwards, a QRESYNC from each snapshot's HIGHESTMODSEQ (with and
 * without known-uids, through either instance) yields exactly the backend's truth; (6) a change sent after any session
 * was told HIGHESTMODSEQ h (snapshots, and a STATUS poller D on both instances) gets a MODSEQ above h (issue 9
 * defect 13). The default suite asserts what
 * holds today ((5) with known-uids, no protocol violation by the writers); the disabled test asserts all of them.
 * Traffic length: {@code -Dmodseq.multi.trafficMillis} (default 8000).
 */
class TwoInstancesConcurrencyTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    static final int MESSAGES = 60;
    static final long TRAFFIC_MILLIS = Long.getLong("modseq.multi.trafficMillis", 8000);

    TwoProxies two;
    GreenMailBackend backend;
    ProxyFixture p1;
    ProxyFixture p2;

    /** One STORE a writer made that really changed the message, as the writer saw it. */
    record Change(String client, long uid, Flags flags, long modSeq, long sentNanos, long doneNanos) {}

    /** Any FETCH with UID and MODSEQ a writer saw (own or unsolicited). */
    record Seen(String client, long uid, Flags flags, long modSeq, String line) {}

    final List<Change> changes = new CopyOnWriteArrayList<>();
    /** A HIGHESTMODSEQ a snapshot session was told, and a moment by which it had been told. */
    record Announced(long highestModSeq, long byNanos) {}

    static final Pattern STATUS_HMS = Pattern.compile("HIGHESTMODSEQ (\\d+)");

    final List<Announced> announced = new CopyOnWriteArrayList<>();
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    /** Sessions the backend dropped (GreenMail 2.1 races between sessions, see package-info), relayed as BYE. */
    final AtomicInteger backendByes = new AtomicInteger();
    /** Protocol problems in the snapshot taker's SELECT answers during traffic. */
    final List<String> problems = new CopyOnWriteArrayList<>();
    /** Full resyncs whose answer disagreed with its own EXISTS (client's sequence numbers off). */
    final List<String> inconsistent = new CopyOnWriteArrayList<>();
    /** Tagged NO "No such message" from GreenMail for a UID it still listed (its own race), relayed by the proxy. */
    final List<String> backendGlitches = new CopyOnWriteArrayList<>();
    /** Snapshots answered with NOMODSEQ (the proxy could not list the mailbox). */
    final AtomicInteger noModSeq = new AtomicInteger();

    @BeforeEach
    void start() {
        REDIS.server().flushAll();
        two = TwoProxies.start(REDIS.server().uri());
        backend = two.backend;
        p1 = two.p1;
        p2 = two.p2;
        backend.userWithMessages("alice", "pw", MESSAGES);
        assertThat(p1.store()).isNotSameAs(p2.store());
    }

    @AfterEach
    void stop() {
        two.close();
    }

    /**
     * What holds today: every FETCH with FLAGS carries MODSEQ, no EXPUNGE after ENABLE QRESYNC, one (MODSEQ, UID) never
     * means two flag sets, snapshots never see HIGHESTMODSEQ go down, and a QRESYNC from any snapshot (with and without
     * known-uids, through either instance) gives exactly the backend's truth.
     */
    @Test
    void concurrentWritersOnTwoInstancesThenEveryResyncGivesTheBackendsTruth() throws Exception {
        List<QresyncClient> snapshots = runTraffic();
        assertThat(violations).as("protocol violations seen by the writers").isEmpty();
        assertThat(changes.stream().filter(x -> x.client().equals("A"))).hasSizeGreaterThan(20);
        assertThat(changes.stream().filter(x -> x.client().equals("B"))).hasSizeGreaterThan(20);
        assertThat(snapshots).as("snapshots answered with HIGHESTMODSEQ").isNotEmpty();
        // with known-uids only: without them, an expunged highest UID is never reported (bug 5,
        // QresyncWithoutKnownUidsTest)
        assertResyncsGiveTruth(snapshots, List.of(true));
    }

    /**
     * Issue 5: "mod-sequences are unique per change and strictly increasing per mailbox", plus every SELECT answering
     * HIGHESTMODSEQ with a self-consistent answer. Fails today, at random, for the bugs of the wt-multi report: NOMODSEQ
     * from a listing with a duplicate UID (ListingWithUnsolicitedFetchTest); a stale listing reverting a newer change and
     * a later change reusing an older MODSEQ (StaleListingTest); a FETCH pairing the backend's FLAGS with the MODSEQ of a
     * later state; EXPUNGE sent to a QRESYNC client during the SELECT listing; a SELECT answer whose VANISHED/FETCH
     * disagree with its own EXISTS; an expunged highest UID missing without known-uids (QresyncWithoutKnownUidsTest).
     */
    @Test
    void concurrentWritersOnTwoInstancesGetUniqueStrictlyIncreasingModSeqs() throws Exception {
        List<QresyncClient> snapshots = runTraffic();
        assertThat(noModSeq.get())
                .as("SELECTs answered NOMODSEQ while Redis was up")
                .isZero();
        assertThat(inconsistent)
                .as("SELECT (QRESYNC) answers that disagree with their own EXISTS")
                .isEmpty();
        assertThat(problems)
                .as("EXPUNGE or stale FETCH in SELECT (QRESYNC) answers during traffic")
                .isEmpty();
        assertThat(violations).as("protocol violations seen by the writers").isEmpty();
        // (1) per writer, strictly increasing
        for (String who : List.of("A", "B")) {
            List<Change> mine =
                    changes.stream().filter(x -> x.client().equals(who)).toList();
            for (int i = 1; i < mine.size(); i++) {
                Change x = mine.get(i);
                Change before = mine.get(i - 1);
                // the description (a history scan) is built only when the assertion fails
                assertThat(x.modSeq())
                        .as(() -> String.format(
                                "%s's change %s came after %s; history of UID %d:%n%s",
                                who, x, before, x.uid(), history(x.uid())))
                        .isGreaterThan(before.modSeq());
            }
        }
        // (2) one MODSEQ names one state of one message. Two overlapping STOREs through different instances can be
        // answered with the same final state (the backend reports the flags after both, e.g. both flags cleared):
        // the proxy saw one change and both answers carry its MODSEQ, which is consistent. A MODSEQ paired with two
        // different states, or two messages, is not.
        Map<Long, Change> byModSeq = new HashMap<>();
        for (Change x : changes) {
            Change other = byModSeq.putIfAbsent(x.modSeq(), x);
            boolean sameState =
                    other == null || other.uid() == x.uid() && other.flags().equals(x.flags());
            assertThat(sameState)
                    .as("MODSEQ %d given to two different states: %s and %s", x.modSeq(), other, x)
                    .isTrue();
        }
        // (3) real-time order: completed before sent => lower MODSEQ
        List<Change> byDone = new ArrayList<>(changes);
        byDone.sort((x, y) -> Long.compare(x.doneNanos(), y.doneNanos()));
        for (Change y : changes) {
            for (Change x : byDone) {
                if (x.doneNanos() >= y.sentNanos()) {
                    break;
                }
                assertThat(x.modSeq())
                        .as("%s completed before %s was sent", x, y)
                        .isLessThan(y.modSeq());
            }
        }
        // (6) issue 9 defect 13: a change sent after another session was told HIGHESTMODSEQ h gets a MODSEQ above h
        // (RFC 7162 3.1.2.1: "the server MUST guarantee that [HIGHESTMODSEQ] never goes down", and a new change must
        // be reported to a client that resyncs from h).
        for (Announced h : announced) {
            for (Change x : changes) {
                if (x.sentNanos() > h.byNanos()) {
                    assertThat(x.modSeq())
                            .as("%s was sent after HIGHESTMODSEQ %d was announced", x, h.highestModSeq())
                            .isGreaterThan(h.highestModSeq());
                }
            }
        }
        assertOneFlagSetPerModSeqAndUid();
        assertResyncsGiveTruth(snapshots, List.of(true, false));
    }

    /** Writers A (instance 1) and B (instance 2), the snapshot taker C and the STATUS poller D, for TRAFFIC_MILLIS. */
    private List<QresyncClient> runTraffic() throws Exception {
        List<QresyncClient> snapshots = new CopyOnWriteArrayList<>();
        snapshots.add(QresyncClient.fullFrom(p1, "alice", "pw", "INBOX").after());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TRAFFIC_MILLIS);
        Future<Integer> a = pool.submit(() -> writer("A", p1, "\\Seen", 1, new Random(1), go, end));
        Future<Integer> b = pool.submit(() -> writer("B", p2, "\\Flagged", 0, new Random(2), go, end));
        Future<Integer> c = pool.submit(() -> {
            go.await();
            int n = 0;
            while (System.nanoTime() < end) {
                try {
                    QresyncClient.Resync r = QresyncClient.fullFrom(n % 2 == 0 ? p2 : p1, "alice", "pw", "INBOX");
                    problems.addAll(r.problems());
                    if (!r.consistent()) {
                        inconsistent.add("EXISTS " + r.exists() + " but "
                                + r.after().cache().size() + " UIDs known after:\n" + ImapLines.shorten(r.lines()));
                    }
                    snapshots.add(r.after());
                    announced.add(new Announced(r.after().highestModSeq(), System.nanoTime()));
                } catch (AssertionError e) {
                    if (!String.valueOf(e.getMessage()).contains("NOMODSEQ")) {
                        throw e;
                    }
                    noModSeq.incrementAndGet();
                    n++;
                    continue; // try again at once (bug 1 of the report makes this frequent)
                } catch (IllegalStateException closed) {
                    backendByes.incrementAndGet();
                }
                n++;
                Thread.sleep(500);
            }
            return n;
        });
        // STATUS (HIGHESTMODSEQ) from a session without the mailbox selected, through both instances in turn: many
        // more announcements for property (6) than the snapshots give, and the store's bump path among them.
        Future<Integer> d = pool.submit(() -> {
            go.await();
            int n = 0;
            try (RawImap s1 = p1.connect().login("alice", "pw");
                    RawImap s2 = p2.connect().login("alice", "pw")) {
                while (System.nanoTime() < end) {
                    RawImap s = n % 2 == 0 ? s1 : s2;
                    for (String l : s.command("st" + n, "STATUS INBOX (HIGHESTMODSEQ)")) {
                        Matcher m = STATUS_HMS.matcher(l);
                        if (m.find()) {
                            announced.add(new Announced(Long.parseLong(m.group(1)), System.nanoTime()));
                        }
                    }
                    n++;
                    Thread.sleep(20);
                }
            } catch (IllegalStateException closed) {
                backendByes.incrementAndGet();
            }
            return n;
        });
        go.countDown();
        int rounds = a.get(TRAFFIC_MILLIS + 60_000, TimeUnit.MILLISECONDS) + b.get(60, TimeUnit.SECONDS);
        c.get(60, TimeUnit.SECONDS);
        int statusAnswers = d.get(60, TimeUnit.SECONDS);
        pool.shutdown();
        System.out.printf(
                "MULTI concurrency: %d rounds, %d real changes, %d snapshots, %d STATUS answers, %d FETCH observations,"
                        + " %d backend BYEs, %d backend NOs, %d NOMODSEQ answers, %d inconsistent SELECT answers%n",
                rounds,
                changes.size(),
                snapshots.size(),
                statusAnswers,
                seen.size(),
                backendByes.get(),
                backendGlitches.size(),
                noModSeq.get(),
                inconsistent.size());
        inconsistent.forEach(x -> System.out.println("MULTI inconsistent: " + x));
        problems.forEach(x -> System.out.println("MULTI problem: " + x));
        return snapshots;
    }

    /** (4) one (MODSEQ, UID) never means two flag sets. */
    private void assertOneFlagSetPerModSeqAndUid() {
        Map<String, Seen> byKey = new HashMap<>();
        for (Seen s : seen) {
            Seen first = byKey.putIfAbsent(s.modSeq() + "/" + s.uid(), s);
            if (first != null) {
                assertThat(s.flags())
                        .as(() -> String.format(
                                "MODSEQ %d UID %d: %s vs %s; history:%n%s",
                                s.modSeq(), s.uid(), first.line(), s.line(), history(s.uid())))
                        .isEqualTo(first.flags());
            }
        }
    }

    /** (5) resync from every snapshot, through both instances, with and without known-uids. */
    private void assertResyncsGiveTruth(List<QresyncClient> snapshots, List<Boolean> knownUidsVariants) {
        long uv = BackendTruth.uidValidity("127.0.0.1", backend.port(), "alice", "pw", "INBOX");
        Map<Long, Flags> truth = BackendTruth.flags("127.0.0.1", backend.port(), "alice", "pw", "INBOX");
        assertThat(truth.size()).isLessThan(MESSAGES).isGreaterThan(0);
        long maxSeen = changes.stream().mapToLong(Change::modSeq).max().orElseThrow();
        int i = 0;
        for (QresyncClient snap : snapshots) {
            assertThat(snap.uidValidity()).isEqualTo(uv);
            for (ProxyFixture p : List.of(p1, p2)) {
                for (boolean known : knownUidsVariants) {
                    try (RawImap conn = p.connect().login("alice", "pw")) {
                        conn.ok("e", "ENABLE QRESYNC");
                        QresyncClient.Resync r = snap.resync(conn, "INBOX", "r" + i++, known);
                        assertThat(r.problems()).isEmpty();
                        String diff = BackendTruth.diff(truth, r.after().cache());
                        assertThat(diff)
                                .as(
                                        "resync from %d (known-uids %s) through %s, answer:%n%s",
                                        snap.highestModSeq(),
                                        known,
                                        p == p1 ? "instance 1" : "instance 2",
                                        ImapLines.shorten(r.lines()))
                                .isEmpty();
                        assertThat(r.after().highestModSeq())
                                .isGreaterThanOrEqualTo(maxSeen)
                                .isGreaterThanOrEqualTo(snap.highestModSeq());
                    }
                }
            }
        }
        for (int k = 1; k < snapshots.size(); k++) {
            assertThat(snapshots.get(k).highestModSeq())
                    .as("snapshot %d after %d", k, k - 1)
                    .isGreaterThanOrEqualTo(snapshots.get(k - 1).highestModSeq());
        }
    }

    /**
     * One writer: toggles its own flag on random present messages; sometimes marks one of its parity \Deleted and
     * EXPUNGEs. When the backend drops the connection (the proxy relays it as BYE, see {@link #backendByes}) the writer
     * reconnects like a client would. Returns the number of rounds.
     */
    private int writer(String who, ProxyFixture proxy, String flag, int parity, Random rnd, CountDownLatch go, long end)
            throws InterruptedException {
        go.await();
        int[] round = {0};
        while (System.nanoTime() < end) {
            try (RawImap c = proxy.connect().login("alice", "pw")) {
                if (!writerSession(who, c, flag, parity, rnd, end, round)) {
                    break;
                }
                c.ok("z", "LOGOUT");
            } catch (IllegalStateException closed) {
                if (!String.valueOf(closed.getMessage()).contains("BYE Backend closed the connection")) {
                    throw closed;
                }
                backendByes.incrementAndGet();
            }
        }
        return round[0];
    }

    /** One connection of a writer; false when the writer must stop (a violation was recorded or nothing is left). */
    private boolean writerSession(String who, RawImap c, String flag, int parity, Random rnd, long end, int[] round) {
        c.ok("e", "ENABLE QRESYNC");
        List<String> sel = c.command("s", "SELECT INBOX (CONDSTORE)");
        if (sel.stream().anyMatch(l -> l.startsWith("* OK [NOMODSEQ]"))) {
            noModSeq.incrementAndGet();
            return true; // a client would go on without mod-sequences; this one reconnects
        }
        Set<Long> present = new TreeSet<>();
        Set<Long> mine = new HashSet<>(); // uids where my flag is set
        for (String l : c.command("f", "UID FETCH 1:* (FLAGS)")) {
            ImapLines.fetch(l).filter(f -> f.uid() > 0 && f.flags() != null).ifPresent(f -> {
                present.add(f.uid());
                if (f.flags().contains(flag)) {
                    mine.add(f.uid());
                } else {
                    mine.remove(f.uid());
                }
            });
        }
        while (System.nanoTime() < end && !present.isEmpty()) {
            round[0]++;
            List<Long> list = new ArrayList<>(present);
            long uid = list.get(rnd.nextInt(list.size()));
            boolean expunge = rnd.nextInt(10) == 0 && uid % 2 == parity && present.size() > MESSAGES / 3;
            String tag = who + round[0];
            String cmd;
            String expectFlag;
            boolean expectSet;
            if (expunge) {
                cmd = "UID STORE " + uid + " +FLAGS (\\Deleted)";
                expectFlag = "\\Deleted";
                expectSet = true;
            } else {
                expectSet = !mine.contains(uid);
                cmd = "UID STORE " + uid + " " + (expectSet ? "+" : "-") + "FLAGS (" + flag + ")";
                expectFlag = flag;
            }
            long sent = System.nanoTime();
            List<String> out = c.command(tag, cmd);
            long done = System.nanoTime();
            if (ImapLines.tagged(out).startsWith(tag + " NO")
                    && ImapLines.tagged(out).contains("No such message")) {
                backendGlitches.add(
                        who + ": " + cmd + " -> " + ImapLines.tagged(out)); // GreenMail's own race, relayed as is
                return true;
            }
            if (!ImapLines.tagged(out).startsWith(tag + " OK")) {
                violations.add(who + ": " + cmd + " -> " + out);
                return false;
            }
            observe(who, out, present, mine);
            Change own = null;
            for (String l : out) {
                var f = ImapLines.fetch(l).orElse(null);
                if (f != null
                        && f.uid() == uid
                        && f.flags() != null
                        && f.flags().contains(expectFlag) == expectSet) {
                    own = new Change(who, uid, f.flags(), f.modSeq(), sent, done);
                    break;
                }
            }
            if (own != null) {
                changes.add(own);
            } else if (present.contains(uid)) {
                // maybe expunged by the other writer and not reported yet: ask once more
                observe(who, c.command(tag + "n", "NOOP"), present, mine);
                if (present.contains(uid)) {
                    violations.add(who + ": no FETCH for my change of present UID " + uid + ": " + out);
                }
            }
            if (!expunge && own != null) {
                if (expectSet) {
                    mine.add(uid);
                } else {
                    mine.remove(uid);
                }
            }
            if (expunge) {
                List<String> ex = c.command(tag + "x", "EXPUNGE");
                if (!ImapLines.tagged(ex).startsWith(tag + "x OK")) {
                    violations.add(who + ": EXPUNGE -> " + ex);
                    return false;
                }
                observe(who, ex, present, mine);
                if (present.contains(uid)) {
                    violations.add(who + ": EXPUNGE did not report VANISHED " + uid + ": " + ex);
                }
            }
        }
        return true;
    }

    /** Everything the writers saw about one UID, in order, for failure messages. */
    private String history(long uid) {
        StringBuilder b = new StringBuilder();
        for (Seen s : seen) {
            if (s.uid() == uid) {
                b.append("  ")
                        .append(s.client())
                        .append(" saw ")
                        .append(s.line())
                        .append(
                                changes.stream()
                                                .anyMatch(c -> c.uid() == uid
                                                        && c.modSeq() == s.modSeq()
                                                        && c.client().equals(s.client())
                                                        && c.flags().equals(s.flags()))
                                        ? "  <- own change"
                                        : "")
                        .append('\n');
            }
        }
        return b.toString();
    }

    /** Records every FETCH with UID and MODSEQ, applies VANISHED, and flags EXPUNGE (forbidden after QRESYNC). */
    private void observe(String who, List<String> out, Set<Long> present, Set<Long> mine) {
        for (String l : out) {
            if (ImapLines.isExpunge(l)) {
                violations.add(who + ": EXPUNGE after ENABLE QRESYNC (RFC 7162 3.2.10): " + l);
            }
            var v = ImapLines.vanished(l);
            if (v.isPresent()) {
                if (v.get().earlier()) {
                    violations.add(who + ": VANISHED (EARLIER) outside a resync: " + l);
                }
                v.get().uids().stream().forEach(u -> {
                    present.remove(u);
                    mine.remove(u);
                });
                continue;
            }
            ImapLines.fetch(l).ifPresent(f -> {
                if (f.flags() != null && f.modSeq() == 0) {
                    violations.add(who + ": FETCH FLAGS without MODSEQ after CONDSTORE: " + l);
                }
                if (f.uid() > 0 && f.flags() != null && f.modSeq() > 0) {
                    seen.add(new Seen(who, f.uid(), f.flags(), f.modSeq(), l));
                }
            });
        }
    }
}

package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modseqproxy.proxy.testing.BackendTruth;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.ModSeqStores;
import org.modseqproxy.state.StoreOptions;
import org.modseqproxy.state.UidSet;
import org.modseqproxy.state.testing.RedisServerExtension;

/**
 * Randomized model test of the resync a QRESYNC client does through the proxy. Rounds of random operations (flag
 * changes, expunges, appends, moves, through the proxy and directly on GreenMail) are followed by a reconnect of a
 * "client" that keeps a cached view (UID -> flags) per HIGHESTMODSEQ it has seen, and resyncs from a random OLD one
 * of them (RFC 7162 3.2.5, or 3.2.6 with UID FETCH ... (CHANGEDSINCE m VANISHED)). After every resync the cache
 * must equal the backend's truth, read directly from GreenMail. The expunge log is kept tiny (4 entries) so that old
 * mod-sequences fall below its horizon (RFC 7162 5.3) and the known-UIDs path is exercised too. Stores: in-memory,
 * Redis, and Redis shared by two proxy instances (each with its own near-cache) that connections land on at random.
 *
 * <p>Reproduce a failure with {@code -Dmodseq.model.seed=<seed printed in the assertion message>}.
 */
class ModelResyncTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    static final int ROUNDS = Integer.getInteger("modseq.model.rounds", 100);
    /**
     * Whether the client sometimes omits known-uids in SELECT (QRESYNC ...) (on; guards the fix of
     * {@code QresyncEdgeCaseTest#withoutKnownUidsTheExpungedNewestMessageIsReported}, RFC 7162 3.2.5.1).
     */
    static final boolean OMIT_KNOWN_UIDS =
            Boolean.parseBoolean(System.getProperty("modseq.model.omitKnownUids", "true"));
    /** Whether INBOX may become empty (on; guards {@code QresyncEdgeCaseTest#emptyMailboxGetsHighestModSeqNotNoModSeq}). */
    static final boolean ALLOW_EMPTY_INBOX =
            Boolean.parseBoolean(System.getProperty("modseq.model.allowEmptyInbox", "true"));
    /** Checks that a QRESYNC client never gets an EXPUNGE line (RFC 7162 3.2.10); on. */
    static final boolean STRICT_VANISHED =
            Boolean.parseBoolean(System.getProperty("modseq.model.strictVanished", "true"));
    /** -Dmodseq.model.trace=true prints every command of the proxy sessions and its answer. */
    static final boolean TRACE = Boolean.getBoolean("modseq.model.trace");

    static final List<String> FLAGS = List.of("\\Seen", "\\Flagged", "\\Answered", "\\Draft", "$Work", "$Later");

    GreenMailBackend backend;
    ModSeqStore store;
    ProxyFixture proxy;
    /** "redis2" only: a second proxy instance with its own store client (and near-cache) on the same Redis. */
    ModSeqStore store2;

    ProxyFixture proxy2;
    final List<RawImap> sessions = new ArrayList<>();

    @AfterEach
    void stop() {
        sessions.forEach(RawImap::close);
        for (ProxyFixture p : new ProxyFixture[] {proxy, proxy2}) {
            if (p != null) {
                p.close();
            }
        }
        for (ModSeqStore st : new ModSeqStore[] {store, store2}) {
            if (st != null) {
                st.close();
            }
        }
        if (backend != null) {
            backend.close();
        }
    }

    /** What the client remembers after a sync: the mod-sequence it may resync from, and its view at that point. */
    record Synced(long modSeq, TreeMap<Long, Flags> view) {}

    // per run
    Random rnd;
    long seed;
    String why;
    RawImap op; // a proxy session selected on INBOX (CONDSTORE), doing the client-side changes of "other devices"
    RawImap opOther; // a proxy session selected on Other
    boolean opQresync; // op enabled QRESYNC: it must see VANISHED, never EXPUNGE (RFC 7162 3.2.10)
    int tag;
    long maxModSeqSeen;

    @ParameterizedTest
    @ValueSource(strings = {"memory", "redis", "redis2"})
    void cacheEqualsTruthAfterEveryResync(String kind) {
        // -Dmodseq.model.store=memory (or redis, redis2) runs one store only, e.g. to replay a seed
        Assumptions.assumeTrue(System.getProperty("modseq.model.store", kind).equals(kind));
        seed = Long.getLong("modseq.model.seed", System.nanoTime());
        rnd = new Random(seed);
        System.out.println("ModelResyncTest[" + kind + "] seed=" + seed + " rounds=" + ROUNDS);
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("alice", "pw", 12);
        direct(d -> d.ok("c", "CREATE Other"));
        boolean redis = kind.startsWith("redis");
        if (redis) {
            REDIS.server().flushAll();
        }
        StoreOptions opts = StoreOptions.defaults().withExpungeLogMaxEntries(4);
        store = ModSeqStores.create(redis ? REDIS.server().uri() : "memory", opts);
        Awaitility.await().atMost(30, TimeUnit.SECONDS).until(store::available);
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), store, c -> {});
        if (kind.equals("redis2")) {
            // DESIGN: several instances behind a load balancer share one Redis; the client lands on either
            store2 = ModSeqStores.create(REDIS.server().uri(), opts);
            Awaitility.await().atMost(30, TimeUnit.SECONDS).until(store2::available);
            proxy2 = ProxyFixture.start("127.0.0.1", backend.port(), store2, c -> {});
        }
        op = session(proxy);
        maybeEnableQresync();
        selectInbox(op);
        opOther = session(proxy2 != null ? proxy2 : proxy);
        cmdOk(opOther, "SELECT Other (CONDSTORE)");

        // first sync: full fetch
        List<Synced> history = new ArrayList<>();
        long uidValidity;
        long lastHms;
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            List<String> sel = c.command("s", "SELECT INBOX (CONDSTORE)");
            uidValidity = ImapLines.uidValidity(sel);
            lastHms = ImapLines.highestModSeq(sel);
            TreeMap<Long, Flags> view = new TreeMap<>();
            for (String l : c.command("f", "UID FETCH 1:* (FLAGS)")) {
                ImapLines.fetch(l).ifPresent(f -> view.put(f.uid(), f.flags()));
            }
            history.add(new Synced(lastHms, view));
        }
        TreeMap<Long, Flags> lastTruth = truth("INBOX");
        assertThat(history.get(0).view()).isEqualTo(lastTruth);

        int resyncs = 0;
        int earlierLines = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            int ops = 1 + rnd.nextInt(4);
            StringBuilder did = new StringBuilder();
            for (int i = 0; i < ops; i++) {
                long t0 = System.nanoTime();
                did.append(randomOperation()).append("; ");
                if (TRACE) {
                    System.out.println("TRACE " + (System.nanoTime() - t0) / 1_000_000 + " ms operation " + did);
                }
            }
            if (round < ROUNDS && rnd.nextInt(5) == 0) {
                continue; // sometimes several rounds of changes pile up between two resyncs
            }
            // Older entries are as likely as recent ones: the client may come back from any point it once saw.
            Synced from = history.get(rnd.nextInt(history.size()));
            boolean viaFetch = rnd.nextInt(4) == 0;
            boolean withKnown = rnd.nextBoolean() || !OMIT_KNOWN_UIDS;
            why = "seed=" + seed + " round=" + round + " from modseq " + from.modSeq()
                    + (viaFetch ? " via UID FETCH" : " via SELECT") + (withKnown ? " with known-uids" : "") + " after: "
                    + did;
            TreeMap<Long, Flags> view = new TreeMap<>(from.view());
            long started = System.nanoTime();
            long hms;
            List<String> lines;
            try (RawImap c = anyProxy().connect().login("alice", "pw")) {
                c.ok("e", "ENABLE QRESYNC");
                if (viaFetch) {
                    // RFC 7162 3.2.6: a CONDSTORE select, then the changes and vanished UIDs in one UID FETCH
                    List<String> sel = c.command("s", "SELECT INBOX (CONDSTORE)");
                    assertThat(ImapLines.tagged(sel)).as(why).startsWith("s OK");
                    hms = ImapLines.highestModSeq(sel);
                    assertThat(ImapLines.uidValidity(sel)).as(why).isEqualTo(uidValidity);
                    lines = c.command(
                            "f", "UID FETCH 1:4294967295 (FLAGS) (CHANGEDSINCE " + from.modSeq() + " VANISHED)");
                    assertThat(ImapLines.tagged(lines)).as(why).startsWith("f OK");
                } else {
                    String known = withKnown && !view.isEmpty() ? " " + knownUids(view) : "";
                    lines = c.command(
                            "s", "SELECT INBOX (QRESYNC (" + uidValidity + " " + from.modSeq() + known + "))");
                    assertThat(ImapLines.tagged(lines)).as(why).startsWith("s OK");
                    hms = ImapLines.highestModSeq(lines);
                    assertThat(ImapLines.uidValidity(lines)).as(why).isEqualTo(uidValidity);
                    if (!known.isEmpty()) {
                        // RFC 7162 3.2.5.1: the answer covers only the known UIDs; like a real client, fetch what
                        // arrived since
                        long maxKnown = view.keySet().stream()
                                .mapToLong(Long::longValue)
                                .max()
                                .orElse(0);
                        lines = new ArrayList<>(lines);
                        for (String l : c.command("n", "UID FETCH " + (maxKnown + 1) + ":* (FLAGS MODSEQ)")) {
                            if (ImapLines.fetch(l)
                                    .map(fr -> fr.uid() > maxKnown)
                                    .orElse(false)) {
                                lines.add(l);
                            }
                        }
                    }
                }
                c.command("z", "LOGOUT");
            }
            TreeMap<Long, Flags> truth = truth("INBOX");
            List<Long> seqOrder = new ArrayList<>(truth.keySet());
            for (String l : lines) {
                var v = ImapLines.vanished(l);
                if (v.isPresent()) {
                    // RFC 7162 3.2.5.1 / 3.2.6: only VANISHED (EARLIER) in a resync answer
                    assertThat(v.get().earlier()).as(why + ": " + l).isTrue();
                    UidSet gone = v.get().uids();
                    view.keySet()
                            .removeIf(gone::contains); // the set may be huge (below the horizon): never enumerate it
                    earlierLines++;
                    continue;
                }
                var f = ImapLines.fetch(l);
                if (f.isPresent()) {
                    var fr = f.get();
                    assertThat(fr.uid()).as(why + ": " + l).isPositive();
                    assertThat(fr.flags()).as(why + ": " + l).isNotNull();
                    assertThat(fr.modSeq())
                            .as(why + ": MODSEQ in a resync FETCH is above the client's and <= HIGHESTMODSEQ: " + l)
                            .isGreaterThan(from.modSeq())
                            .isLessThanOrEqualTo(hms);
                    assertThat(fr.seq())
                            .as(why + ": sequence number of UID " + fr.uid() + ": " + l)
                            .isEqualTo(seqOrder.indexOf(fr.uid()) + 1);
                    view.put(fr.uid(), fr.flags());
                }
            }
            if (TRACE) {
                System.out.println(
                        "TRACE " + (System.nanoTime() - started) / 1_000_000 + " ms resync " + why + " -> " + lines);
            }
            assertThat(view).as(why + "\nanswer: " + lines).isEqualTo(truth);
            // RFC 7162 3.1.2.1 / DESIGN "lessons": HIGHESTMODSEQ never goes down for one UIDVALIDITY, covers every
            // MODSEQ handed out before, and moves when the mailbox changed.
            assertThat(hms).as(why + ": HIGHESTMODSEQ never decreases").isGreaterThanOrEqualTo(lastHms);
            assertThat(hms)
                    .as(why + ": HIGHESTMODSEQ >= every MODSEQ seen before")
                    .isGreaterThanOrEqualTo(maxModSeqSeen);
            if (!truth.equals(lastTruth)) {
                assertThat(hms)
                        .as(why + ": mailbox changed since the last resync, HIGHESTMODSEQ must move")
                        .isGreaterThan(lastHms);
            }
            lastHms = hms;
            lastTruth = truth;
            history.add(new Synced(hms, view));
            resyncs++;
        }
        System.out.println("ModelResyncTest[" + kind + "] seed=" + seed + ": " + resyncs + " resyncs, " + earlierLines
                + " VANISHED (EARLIER) lines, final mailbox " + lastTruth.size() + " messages");
        assertThat(resyncs).isGreaterThan(ROUNDS / 2);
    }

    // ---- random operations -----------------------------------------------------------------------------------------

    private String randomOperation() {
        long t0 = System.nanoTime();
        TreeMap<Long, Flags> inbox = truth("INBOX");
        if (TRACE) {
            System.out.println("TRACE " + (System.nanoTime() - t0) / 1_000_000 + " ms truth");
        }
        long uid = inbox.isEmpty() ? 1 : pick(new ArrayList<>(inbox.keySet()));
        String flag = FLAGS.get(rnd.nextInt(FLAGS.size()));
        String sign = rnd.nextBoolean() ? "+" : "-";
        int choice = rnd.nextInt(12);
        if (!ALLOW_EMPTY_INBOX && inbox.size() <= 2 && (choice == 3 || choice == 6 || choice == 9)) {
            choice = 5; // keep INBOX from getting empty: deliver instead of removing
        }
        switch (choice) {
            case 0, 1 -> {
                cmdOk(op, "UID STORE " + uid + " " + sign + "FLAGS (" + flag + ")");
                return "proxy " + sign + flag + " " + uid;
            }
            case 2 -> {
                String set = uid + "," + (uid + 1) + ":" + (uid + 3);
                cmdOk(op, "UID STORE " + set + " " + sign + "FLAGS.SILENT (" + flag + ")");
                return "proxy silent " + sign + flag + " " + set;
            }
            case 3 -> {
                cmdOk(op, "UID STORE " + uid + " +FLAGS (\\Deleted)");
                switch (rnd.nextInt(3)) {
                    case 0 -> {
                        cmdOk(op, "EXPUNGE");
                        return "proxy EXPUNGE " + uid;
                    }
                    case 1 -> {
                        cmdOk(op, "UID EXPUNGE " + uid);
                        return "proxy UID EXPUNGE " + uid;
                    }
                    default -> {
                        cmdOk(op, "CLOSE"); // expunges silently: the proxy must learn which UIDs left (RFC 9051 6.4.1)
                        selectInbox(op);
                        return "proxy CLOSE expunging " + uid;
                    }
                }
            }
            case 4 -> {
                String flags = rnd.nextBoolean() ? "" : flag;
                List<String> r =
                        op.append("a" + (++tag), "INBOX", flags, "Subject: appended " + tag + "\r\n\r\nbody\r\n");
                collectModSeqs(r);
                assertThat(ImapLines.tagged(r)).as("APPEND").contains("OK");
                return "proxy append (" + flags + ")";
            }
            case 5 -> {
                backend.deliver(backend.user("alice", "pw"), "delivered " + (++tag), "body");
                return "deliver";
            }
            case 6 -> {
                cmdOk(op, "UID MOVE " + uid + " Other");
                return "proxy move " + uid + " to Other";
            }
            case 7 -> {
                List<Long> other = search(opOther);
                if (other.isEmpty()) {
                    return "nothing to move back";
                }
                long o = pick(other);
                cmdOk(opOther, "UID MOVE " + o + " INBOX");
                return "proxy move Other/" + o + " to INBOX";
            }
            case 8 -> {
                direct(d -> {
                    d.ok("s", "SELECT INBOX");
                    d.ok("f", "UID STORE " + uid + " " + sign + "FLAGS (" + flag + ")");
                });
                return "direct " + sign + flag + " " + uid;
            }
            case 9 -> {
                direct(d -> {
                    d.ok("s", "SELECT INBOX");
                    d.ok("f", "UID STORE " + uid + " +FLAGS (\\Deleted)");
                    d.ok("x", "EXPUNGE");
                });
                return "direct expunge " + uid;
            }
            case 10 -> {
                direct(d -> {
                    List<String> sel = d.command("s", "SELECT Other");
                    if (!sel.contains("* 0 EXISTS")) {
                        d.ok("c", "COPY 1 INBOX");
                    }
                });
                return "direct copy Other/1 to INBOX";
            }
            default -> {
                cmdOk(op, "NOOP"); // lets the proxy relay what happened behind its back
                if (rnd.nextInt(3) == 0) {
                    op.command("z", "LOGOUT");
                    op.close();
                    op = session(anyProxy());
                    maybeEnableQresync();
                    selectInbox(op);
                    return "op NOOP and reconnect";
                }
                return "op NOOP";
            }
        }
    }

    private long pick(List<Long> uids) {
        return uids.get(rnd.nextInt(uids.size()));
    }

    private void maybeEnableQresync() {
        opQresync = rnd.nextBoolean();
        if (opQresync) {
            cmdOk(op, "ENABLE QRESYNC");
        }
    }

    /** The proxy a new connection lands on: one of the two instances in "redis2", else the only one. */
    private ProxyFixture anyProxy() {
        return proxy2 != null && rnd.nextBoolean() ? proxy2 : proxy;
    }

    private RawImap session(ProxyFixture p) {
        RawImap s = p.connect().login("alice", "pw");
        sessions.add(s);
        return s;
    }

    private void selectInbox(RawImap s) {
        List<String> sel = cmdOk(s, "SELECT INBOX (CONDSTORE)");
        long hms = ImapLines.highestModSeq(sel);
        maxModSeqSeen = Math.max(maxModSeqSeen, hms);
    }

    /** Runs a command that must succeed; every MODSEQ in its answer is remembered. */
    private List<String> cmdOk(RawImap s, String command) {
        String t = "t" + (++tag);
        long t0 = System.nanoTime();
        List<String> r = s.command(t, command);
        if (TRACE) {
            System.out.println("TRACE " + (System.nanoTime() - t0) / 1_000_000 + " ms "
                    + (s == op ? "op" : s == opOther ? "other" : "?") + " " + command + " -> " + r);
        }
        assertThat(ImapLines.tagged(r))
                .as("seed=" + seed + ": " + command + " -> " + r)
                .startsWith(t + " OK");
        collectModSeqs(r);
        if (s == op && opQresync && STRICT_VANISHED) {
            assertThat(r)
                    .as("seed=" + seed + ": after ENABLE QRESYNC, VANISHED replaces EXPUNGE: " + command)
                    .noneMatch(l -> l.matches("\\* \\d+ EXPUNGE"));
        }
        return r;
    }

    private void collectModSeqs(List<String> lines) {
        for (String l : lines) {
            ImapLines.fetch(l).ifPresent(f -> maxModSeqSeen = Math.max(maxModSeqSeen, f.modSeq()));
        }
    }

    private List<Long> search(RawImap s) {
        List<Long> uids = new ArrayList<>();
        for (String l : cmdOk(s, "UID SEARCH ALL")) {
            if (l.startsWith("* SEARCH")) {
                for (String w : l.substring(8).trim().split(" ")) {
                    if (w.matches("\\d+")) {
                        uids.add(Long.parseLong(w));
                    }
                }
            }
        }
        return uids;
    }

    private static String knownUids(Map<Long, Flags> view) {
        UidSet.Builder b = new UidSet.Builder();
        view.keySet().forEach(b::add);
        return b.build().toImapString();
    }

    private TreeMap<Long, Flags> truth(String mailbox) {
        return BackendTruth.flags("127.0.0.1", backend.port(), "alice", "pw", mailbox);
    }

    private void direct(java.util.function.Consumer<RawImap> script) {
        try (RawImap d = RawImap.connect("127.0.0.1", backend.port())) {
            d.login("alice", "pw");
            script.accept(d);
            d.command("y", "LOGOUT");
        }
    }
}

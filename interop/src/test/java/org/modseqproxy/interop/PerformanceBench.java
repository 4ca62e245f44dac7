package org.modseqproxy.interop;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.TcpRelay;
import org.modseqproxy.state.testing.RedisServerFixture;

/**
 * Issue 15's table, measured in one run against baselines started here: Dovecot with CONDSTORE hidden (the legacy
 * backend) reached directly, through a zero-work TCP forwarder ({@link TcpRelay}, a thread per direction copying
 * bytes) and through the proxy (Redis state); and a stock Dovecot with native QRESYNC, what a client compares the
 * proxy to. Each path gets its own copy of the same {@code modseq.bench.messages} messages (10,000). Prints ratios,
 * never asserts a time.
 *
 * <p>Rows: CPU of the forwarder's and the proxy's threads per 1,000 commands and the p50 per command (one client,
 * NOOP / UID FETCH FLAGS / UID STORE); plain {@code SELECT} + {@code UID FETCH 1:* (FLAGS)}; {@code SELECT
 * (CONDSTORE)} with nothing changed (also through a second proxy with {@code state.listingReuse}); and the bytes of a QRESYNC SELECT after 1% of the messages changed (half in the
 * path's own sessions, half behind its back, directly on the store). Run with
 * {@code mvn -pl interop -am verify -Dbench -Dmodseq.bench=true -Dtest=PerformanceBench
 * -Dsurefire.failIfNoSpecifiedTests=false}; the table is in {@code
 * interop/target/surefire-reports/org.modseqproxy.interop.PerformanceBench-output.txt}.
 */
@Tag("bench")
@EnabledIfSystemProperty(named = "modseq.bench", matches = "true")
@RequiresBackend(Backend.DOVECOT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PerformanceBench {
    static final int MESSAGES = Integer.getInteger("modseq.bench.messages", 10_000);
    static final int COMMANDS = Integer.getInteger("modseq.bench.commands", 5_000);
    /**
     * Commands of the same mix run before the measured ones, on every path. A warm-up of NOOPs alone left the proxy's
     * FETCH and STORE paths to the interpreter: 1,500 measured commands then read 3-5x the forwarder's CPU, 20,000
     * read 1.6x, so the row measured the JIT, not the proxy.
     */
    static final int WARMUP = Integer.getInteger("modseq.bench.warmup", 10_000);
    /** Medians of this many rounds; the first ones pay for the JIT and Dovecot's caches (see the README). */
    static final int ROUNDS = Integer.getInteger("modseq.bench.rounds", 3);

    static final String PASSWORD = "bench1";

    DovecotServer legacy;
    DovecotServer nativeDovecot;
    RedisServerFixture redis;
    ProxyFixture proxy;
    /** The same proxy with state.listingReuse: SELECTs within it ask the store only for deliveries. */
    ProxyFixture reusing;
    /** The same proxy in state.mode exclusive: every session keeps the view and the store current. */
    ProxyFixture exclusiveProxy;

    TcpRelay forwarder;

    /** One way to reach a store: where to connect, and as whom (each path has a mailbox of its own). */
    record Path(String name, String host, int port, String user, ImapBackend store) {}

    Path direct;
    Path forwarded;
    Path proxied;
    Path nativePath;
    Path reused;
    Path exclusive;

    @BeforeAll
    void start() throws IOException {
        redis = RedisServerFixture.start();
        legacy = new DovecotServer(
                        DovecotServer.Mode.HIDDEN_CONDSTORE,
                        MailUser.of("direct", PASSWORD),
                        MailUser.of("relayed", PASSWORD),
                        MailUser.of("proxied", PASSWORD),
                        MailUser.of("reused", PASSWORD),
                        MailUser.of("exclusive", PASSWORD))
                .start();
        nativeDovecot = new DovecotServer(DovecotServer.Mode.NATIVE, MailUser.of("native", PASSWORD)).start();
        for (String u : List.of("direct", "relayed", "proxied", "reused", "exclusive")) {
            seed(legacy, u);
        }
        seed(nativeDovecot, "native");
        proxy = ProxyFixture.start(legacy.host(), legacy.port(), redis.uri(), c -> {});
        reusing =
                ProxyFixture.start(legacy.host(), legacy.port(), redis.uri(), c -> c.set("state.listingReuse", "10m"));
        exclusiveProxy =
                ProxyFixture.start(legacy.host(), legacy.port(), redis.uri(), c -> c.set("state.mode", "exclusive"));
        forwarder = new TcpRelay(legacy.host(), legacy.port());
        direct = new Path("direct", legacy.host(), legacy.port(), "direct", legacy);
        forwarded = new Path("forwarder", "127.0.0.1", forwarder.port(), "relayed", legacy);
        proxied = new Path("proxy", "127.0.0.1", proxy.port(), "proxied", legacy);
        nativePath = new Path("native", nativeDovecot.host(), nativeDovecot.port(), "native", nativeDovecot);
        reused = new Path("reusing proxy", "127.0.0.1", reusing.port(), "reused", legacy);
        exclusive = new Path("exclusive proxy", "127.0.0.1", exclusiveProxy.port(), "exclusive", legacy);
        for (Path p : List.of(direct, forwarded, proxied, nativePath, reused, exclusive)) {
            try (RawImapClient c = login(p)) {
                c.command("SELECT INBOX"); // the store indexes the folder, the proxy learns it: not measured
            }
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c :
                new AutoCloseable[] {forwarder, proxy, reusing, exclusiveProxy, legacy, nativeDovecot, redis}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static void seed(ImapBackend store, String user) throws IOException {
        for (int i = 1; i <= MESSAGES; i++) {
            store.deliver(user, "INBOX", TestMessages.message("bench " + i));
        }
    }

    private RawImapClient login(Path p) throws IOException {
        RawImapClient c = RawImapClient.connect(p.host(), p.port());
        ImapReply r = c.command("LOGIN " + p.user() + " " + PASSWORD);
        if (!r.isOk()) {
            throw new IOException(p.name() + ": LOGIN failed: " + r);
        }
        return c;
    }

    @Test
    void printTheTable() throws Exception {
        List<String> out = new ArrayList<>();
        out.add(String.format(
                Locale.ROOT,
                "PerformanceBench: %,d messages per mailbox, %,d commands per path after %,d of warm-up, %d rounds;"
                        + " load average %.2f at start",
                MESSAGES,
                COMMANDS,
                WARMUP,
                ROUNDS,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));

        long storeBefore = storeCalls();
        listing(proxied);
        out.add("store calls of one proxied listing: " + (storeCalls() - storeBefore));
        if (Boolean.getBoolean("modseq.bench.profileListing")) {
            for (int i = 0; i < 40; i++) { // a steady load for a profiler (JFR) to sample
                listing(proxied);
            }
        }
        // 1. per command: CPU of the path's own threads, and latency
        double[] directCmd = commands(direct, null);
        double[] relayCmd = commands(forwarded, "relay-");
        double[] proxyCmd = commands(proxied, "vert.x-eventloop");
        double[] exclusiveCmd = commands(exclusive, "vert.x-eventloop");
        out.add(String.format(
                Locale.ROOT,
                "| CPU s per 1,000 commands | forwarder %.3f | proxy %.3f, exclusive mode %.3f | %.1fx and %.1fx"
                        + " forwarder |",
                relayCmd[1],
                proxyCmd[1],
                exclusiveCmd[1],
                proxyCmd[1] / relayCmd[1],
                exclusiveCmd[1] / relayCmd[1]));
        out.add(String.format(
                Locale.ROOT,
                "| p50 per command (ms) | direct %.3f, forwarder %.3f (+%.3f) | proxy %.3f (+%.3f), exclusive mode %.3f"
                        + " | %+.3f and %+.3f over the forwarder |",
                directCmd[0],
                relayCmd[0],
                relayCmd[0] - directCmd[0],
                proxyCmd[0],
                proxyCmd[0] - directCmd[0],
                exclusiveCmd[0],
                proxyCmd[0] - relayCmd[0],
                exclusiveCmd[0] - relayCmd[0]));

        // 2. plain SELECT + full flag listing
        double d = median(() -> listing(direct));
        double f = median(() -> listing(forwarded));
        double p = median(() -> listing(proxied));
        out.add(String.format(
                Locale.ROOT,
                "| SELECT + UID FETCH 1:* (FLAGS), ms | direct %.1f, forwarder %.1f | proxy %.1f | %.2fx direct |"
                        + " (of which SELECT, last round: direct %.1f, proxy %.1f)",
                d,
                f,
                p,
                p / d,
                selectPart.get("direct"),
                selectPart.get("proxy")));

        // 3. SELECT (CONDSTORE), nothing changed
        double n = median(() -> condstoreSelect(nativePath));
        double q = median(() -> condstoreSelect(proxied));
        double qr = median(() -> condstoreSelect(reused));
        out.add(String.format(
                Locale.ROOT,
                "| SELECT (CONDSTORE), nothing changed, ms | native %.1f | proxy %.1f; with state.listingReuse %.1f |"
                        + " %.2fx native; %.2fx with reuse |",
                n,
                q,
                qr,
                q / n,
                qr / n));

        // 4. QRESYNC SELECT bytes after 1% changed
        long nb = qresyncBytes(nativePath);
        long pb = qresyncBytes(proxied);
        out.add(String.format(
                Locale.ROOT,
                "| QRESYNC SELECT bytes, 1%% changed | native %,d | proxy %,d | %.2fx native |",
                nb,
                pb,
                pb / (double) nb));
        out.add(String.format(
                Locale.ROOT,
                "load average %.2f at the end",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        out.forEach(System.out::println);
    }

    /** The proxy's store calls so far (the timer every store operation goes through). */
    private long storeCalls() {
        return proxy.metrics().registry().find("modseq.store.duration").timers().stream()
                .mapToLong(t -> t.count())
                .sum();
    }

    /** {p50 ms, CPU seconds per 1,000 commands of the threads named {@code threads}...} over the command mix. */
    private double[] commands(Path p, String threads) throws Exception {
        Random random = new Random(15);
        try (RawImapClient c = login(p)) {
            c.command("SELECT INBOX");
            for (int i = 0; i < WARMUP; i++) {
                ImapReply r = c.command(mixed(i, random));
                if (!r.isOk()) {
                    throw new IOException(p.name() + ": warm-up: " + r);
                }
            }
            long cpu0 = cpu(threads);
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < COMMANDS; i++) {
                String command = mixed(i, random);
                long t0 = System.nanoTime();
                ImapReply r = c.command(command);
                times.add((System.nanoTime() - t0) / 1e6);
                if (!r.isOk()) {
                    throw new IOException(p.name() + ": " + command + ": " + r);
                }
            }
            long cpu = cpu(threads) - cpu0;
            Collections.sort(times);
            return new double[] {times.get(times.size() / 2), cpu / 1e9 / (COMMANDS / 1000.0)};
        }
    }

    /** The i-th command of the mix: NOOP, UID FETCH of one message's FLAGS, UID STORE of \Seen on one message. */
    private static String mixed(int i, Random random) {
        int uid = 1 + random.nextInt(MESSAGES);
        return switch (i % 3) {
            case 0 -> "NOOP";
            case 1 -> "UID FETCH " + uid + " (FLAGS)";
            default -> "UID STORE " + uid + (i % 2 == 0 ? " +" : " -") + "FLAGS (\\Seen)";
        };
    }

    /**
     * CPU nanoseconds of the live threads whose names start with {@code prefix} (0 for none); for the proxy's event
     * loops, its Redis client's threads too, since they work for it.
     */
    private static long cpu(String prefix) {
        if (prefix == null) {
            return 0;
        }
        boolean proxyThreads = prefix.startsWith("vert.x");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : mx.getAllThreadIds()) {
            ThreadInfo info = mx.getThreadInfo(id);
            String name = info == null ? "" : info.getThreadName();
            if (name.startsWith(prefix) || proxyThreads && name.startsWith("lettuce")) {
                sum += Math.max(0, mx.getThreadCpuTime(id));
            }
        }
        return sum;
    }

    /** Of the last {@link #listing} of each path: how long its SELECT took alone. */
    final java.util.Map<String, Double> selectPart = new java.util.HashMap<>();

    private double listing(Path p) throws IOException {
        try (RawImapClient c = login(p)) {
            long t0 = System.nanoTime();
            c.command("SELECT INBOX");
            selectPart.put(p.name(), (System.nanoTime() - t0) / 1e6);
            ImapReply r = c.command("UID FETCH 1:* (FLAGS)");
            double ms = (System.nanoTime() - t0) / 1e6;
            if (r.untagged().size() < MESSAGES) {
                throw new IOException(p.name() + ": listing has " + r.untagged().size() + " lines");
            }
            return ms;
        }
    }

    private double condstoreSelect(Path p) throws IOException {
        try (RawImapClient c = login(p)) {
            long t0 = System.nanoTime();
            ImapReply r = c.command("SELECT INBOX (CONDSTORE)");
            double ms = (System.nanoTime() - t0) / 1e6;
            if (!r.isOk() || r.untagged().stream().noneMatch(l -> l.contains("[HIGHESTMODSEQ "))) {
                throw new IOException(p.name() + ": " + r);
            }
            return ms;
        }
    }

    /**
     * ENABLE QRESYNC + SELECT, then 1% of the messages get \Flagged (half in another session of this path, half
     * directly on the store), then the bytes of {@code SELECT INBOX (QRESYNC (uv modseq))}. Flags are taken back
     * after, so the next run starts from the same state.
     */
    private long qresyncBytes(Path p) throws IOException {
        String uv;
        String hms;
        try (RawImapClient c = login(p)) {
            c.command("ENABLE QRESYNC");
            ImapReply sel = c.command("SELECT INBOX");
            uv = sel.single("OK [UIDVALIDITY").replaceAll("\\D", "");
            hms = sel.single("OK [HIGHESTMODSEQ").replaceAll("\\D", "");
        }
        int changes = MESSAGES / 100;
        StringBuilder own = new StringBuilder();
        StringBuilder behind = new StringBuilder();
        for (int i = 0; i < changes; i++) {
            StringBuilder set = i % 2 == 0 ? own : behind;
            set.append(set.length() == 0 ? "" : ",").append(1 + i * 97 % MESSAGES);
        }
        try (RawImapClient c = login(p)) {
            c.command("SELECT INBOX");
            c.command("UID STORE " + own + " +FLAGS.SILENT (\\Flagged)");
        }
        try (RawImapClient c = p.store().login(p.user())) {
            c.command("SELECT INBOX");
            c.command("UID STORE " + behind + " +FLAGS.SILENT (\\Flagged)");
        }
        long bytes;
        try (RawImapClient c = login(p)) {
            c.command("ENABLE QRESYNC");
            ImapReply r = c.command("SELECT INBOX (QRESYNC (" + uv + " " + hms + "))");
            bytes = r.tagged().length() + 2L;
            for (String line : r.untagged()) {
                bytes += line.length() + 2L;
            }
            System.out.println(p.name() + " QRESYNC answer, " + r.untagged().size() + " untagged lines, the first 8: "
                    + String.join(
                            " | ",
                            r.untagged().subList(0, Math.min(8, r.untagged().size()))));
            c.command("UID STORE 1:* -FLAGS.SILENT (\\Flagged)");
        }
        return bytes;
    }

    interface Measure {
        double run() throws Exception;
    }

    private static double median(Measure m) throws Exception {
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            v.add(m.run());
        }
        Collections.sort(v);
        return v.get(v.size() / 2);
    }
}

package org.modseqproxy.proxy.bench;

import com.icegreen.greenmail.user.GreenMailUser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.HeapProbe;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.ProxyProcess;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * The two figures issue 2 asks for, in one run:
 *
 * <ol>
 *   <li>Pass-through cost: the same FETCH/STORE/SEARCH workload (N client threads, each with its own connection, over
 *       a 1,000-message INBOX) run directly against GreenMail and through the proxy; throughput and p50/p99 latency of
 *       both and their ratio. Two measured rounds per path, alternating, after a warm-up of both. GreenMail spends tens
 *       of milliseconds per command on 1,000 messages, which hides the proxy; the same workload on a 100-message INBOX
 *       shows the proxy's own cost per command. GreenMail's sockets get TCP_NODELAY once connected (see
 *       {@link GreenMailBackend#disableNagleOnOpenConnections}); {@code greenmailNagle=1} keeps its 40 ms stalls.
 *   <li>Heap per idle authenticated session: 1,000 sessions LOGIN + SELECT + IDLE through a proxy running alone in a
 *       child JVM; that JVM's live heap (after full GCs) and off-heap buffers before and after, divided by 1,000.
 *       GreenMail and the clients stay in this JVM, so nothing needs subtracting.
 * </ol>
 *
 * <p>Arguments (all optional, {@code key=value}): {@code threads=4 ops=300 smallOps=2000 sessions=1000
 * greenmailNagle=0}. Run with
 * {@code mvn -o -q -pl proxy test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.modseqproxy.proxy.bench.PassThroughBench -Dexec.args="sessions=1000"} (about 5 minutes on two
 * cores). {@code histo=1} also prints which classes the idle sessions' heap is made of; {@code passThrough=0} skips
 * the first figure.
 */
public final class PassThroughBench {
    private static final int BIG = 1000;
    private static final int SMALL = 100;
    private static final String[] KINDS = {"FETCH", "STORE", "SEARCH"};

    private PassThroughBench() {}

    public static void main(String[] args) throws Exception {
        int threads = arg(args, "threads", 4);
        int ops = arg(args, "ops", 300);
        int smallOps = arg(args, "smallOps", 2000);
        int sessions = arg(args, "sessions", 1000);
        boolean keepNagle = arg(args, "greenmailNagle", 0) == 1;
        System.out.printf(
                Locale.ROOT,
                "PassThroughBench: threads=%d ops/thread=%d (1,000 msgs), %d (100 msgs), sessions=%d;"
                        + " %d cores, load average %.1f%n",
                threads,
                ops,
                smallOps,
                sessions,
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());
        try (GreenMailBackend backend = new GreenMailBackend()) {
            seed(backend, "bench", BIG);
            seed(backend, "small", SMALL);
            if (arg(args, "passThrough", 1) == 1) {
                try (ProxyFixture proxy = ProxyFixture.start("127.0.0.1", backend.port())) {
                    passThrough(new Workload(backend, "bench", BIG, threads, !keepNagle), proxy.port(), ops);
                    passThrough(new Workload(backend, "small", SMALL, threads, !keepNagle), proxy.port(), smallOps);
                }
            }
            idleSessions(backend.port(), sessions, arg(args, "histo", 0) == 1);
        }
        System.exit(0);
    }

    private static void seed(GreenMailBackend backend, String name, int messages) {
        GreenMailUser user = backend.user(name, name);
        for (int i = 1; i <= messages; i++) {
            backend.deliver(user, "msg " + i, "body of message " + i + "\r\n" + "x".repeat(400));
        }
    }

    // ---- 1. pass-through cost --------------------------------------------------------------------------------------

    /** Latencies of one path, by kind. */
    private static final class Samples {
        final List<long[]> byKind = new ArrayList<>();
        final int[] counts = new int[KINDS.length];
        long wallNanos;
        int ops;

        Samples(int capacity) {
            for (int k = 0; k < KINDS.length; k++) {
                byKind.add(new long[capacity]);
            }
        }

        synchronized void add(int kind, long nanos) {
            long[] a = byKind.get(kind);
            if (counts[kind] == a.length) {
                byKind.set(kind, a = Arrays.copyOf(a, a.length * 2));
            }
            a[counts[kind]++] = nanos;
            ops++;
        }

        long[] all() {
            long[] out = new long[ops];
            int i = 0;
            for (int k = 0; k < KINDS.length; k++) {
                System.arraycopy(byKind.get(k), 0, out, i, counts[k]);
                i += counts[k];
            }
            return out;
        }

        long[] kind(int k) {
            return Arrays.copyOf(byKind.get(k), counts[k]);
        }

        double throughput() {
            return ops / (wallNanos / 1e9);
        }
    }

    private static void passThrough(Workload w, int proxyPort, int ops) throws Exception {
        int directPort = w.backend().port();
        int threads = w.threads();
        int messages = w.messages();
        int warmup = Math.max(50, ops / 4);
        w.run(directPort, warmup, 1, null);
        w.run(proxyPort, warmup, 2, null);
        Samples direct = new Samples(threads * ops);
        Samples proxied = new Samples(threads * ops);
        for (int round = 0; round < 2; round++) {
            w.run(directPort, ops, 10 + round, direct);
            w.run(proxyPort, ops, 10 + round, proxied);
        }
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "Pass-through cost: %d threads x %d ops x 2 rounds, %,d-message INBOX;"
                        + " FETCH 50%% (FLAGS ENVELOPE BODY.PEEK[]), STORE 25%% +/-FLAGS.SILENT, SEARCH 25%%; GreenMail TCP_NODELAY %s%n",
                threads,
                ops,
                messages,
                w.noDelay() ? "on" : "off (Nagle + delayed ACK: ~40 ms per multi-line response)");
        System.out.printf(
                Locale.ROOT,
                "  %-8s %12s %10s %10s %10s %10s %10s%n",
                "path",
                "ops/s",
                "p50 ms",
                "p99 ms",
                "FETCH p50",
                "STORE p50",
                "SEARCH p50");
        line("direct", direct);
        line("proxy", proxied);
        long[] d = direct.all();
        long[] p = proxied.all();
        System.out.printf(
                Locale.ROOT,
                "  ratio proxy/direct: throughput %.2f, p50 %.2f, p99 %.2f%n",
                proxied.throughput() / direct.throughput(),
                (double) pct(p, 50) / pct(d, 50),
                (double) pct(p, 99) / pct(d, 99));
    }

    private static void line(String name, Samples s) {
        long[] all = s.all();
        System.out.printf(
                Locale.ROOT,
                "  %-8s %12.0f %10.3f %10.3f %10.3f %10.3f %10.3f%n",
                name,
                s.throughput(),
                ms(pct(all, 50)),
                ms(pct(all, 99)),
                ms(pct(s.kind(0), 50)),
                ms(pct(s.kind(1), 50)),
                ms(pct(s.kind(2), 50)));
    }

    /** N threads, each LOGIN + SELECT on its own connection, then {@code ops} timed commands. */
    private record Workload(GreenMailBackend backend, String user, int messages, int threads, boolean noDelay) {
        void run(int port, int ops, int seed, Samples samples) throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<RawImap> conns = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    RawImap c = RawImap.connect("127.0.0.1", port);
                    c.login(user, user);
                    c.ok("s", "SELECT INBOX");
                    conns.add(c);
                }
                if (noDelay) {
                    backend.disableNagleOnOpenConnections();
                }
                List<Callable<Void>> work = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    RawImap c = conns.get(t);
                    Random rnd = new Random(seed * 100L + t);
                    work.add(() -> {
                        for (int i = 0; i < ops; i++) {
                            int roll = rnd.nextInt(100);
                            int kind = roll < 50 ? 0 : roll < 75 ? 1 : 2;
                            String cmd = command(kind, rnd, messages);
                            long t0 = System.nanoTime();
                            List<String> lines = c.command("t" + i, cmd);
                            long took = System.nanoTime() - t0;
                            String last = lines.get(lines.size() - 1);
                            if (!last.startsWith("t" + i + " OK")) {
                                throw new IllegalStateException(cmd + " -> " + last);
                            }
                            if (samples != null) {
                                samples.add(kind, took);
                            }
                        }
                        return null;
                    });
                }
                long start = System.nanoTime();
                for (Future<Void> f : pool.invokeAll(work)) {
                    f.get();
                }
                if (samples != null) {
                    samples.wallNanos += System.nanoTime() - start;
                }
                for (RawImap c : conns) {
                    c.ok("z", "LOGOUT");
                    c.close();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static String command(int kind, Random rnd, int messages) {
        int n = 1 + rnd.nextInt(messages);
        return switch (kind) {
            case 0 -> "FETCH " + n + " (FLAGS ENVELOPE BODY.PEEK[])";
            case 1 -> "STORE " + n + (rnd.nextBoolean() ? " +" : " -") + "FLAGS.SILENT (\\Flagged)";
            default -> rnd.nextBoolean() ? "SEARCH FLAGGED" : "SEARCH SUBJECT \"msg " + n + "\"";
        };
    }

    private static long pct(long[] values, int p) {
        if (values.length == 0) {
            return 0;
        }
        long[] v = values.clone();
        Arrays.sort(v);
        int idx = (int) Math.ceil(p / 100.0 * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, idx))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    // ---- 2. heap per idle authenticated session --------------------------------------------------------------------

    private static void idleSessions(int backendPort, int count, boolean histogram) throws Exception {
        try (ProxyProcess proxy = ProxyProcess.start(backendPort, "-Xmx512m")) {
            // Warm up: first sessions load classes and grow buffer pools; that is not a per-session cost.
            List<RawImap> warm = openIdle(proxy.port(), 50);
            closeAll(warm);
            awaitSessions(proxy, 0);
            ProxyProcess.Memory before = proxy.memory();
            java.util.Map<String, Long> histoBefore = histogram ? proxy.classHistogram() : java.util.Map.of();
            long t0 = System.nanoTime();
            List<RawImap> idle = openIdle(proxy.port(), count);
            long openMs = (System.nanoTime() - t0) / 1_000_000;
            ProxyProcess.Memory during = proxy.memory();
            java.util.Map<String, Long> histoDuring = histogram ? proxy.classHistogram() : java.util.Map.of();
            if (during.sessions() != count) {
                throw new IllegalStateException("proxy reports " + during.sessions() + " sessions, expected " + count);
            }
            closeAll(idle);
            awaitSessions(proxy, 0);
            ProxyProcess.Memory after = proxy.memory();
            System.out.println();
            System.out.println(
                    "Idle authenticated sessions (LOGIN + SELECT INBOX + IDLE) through a proxy in its own JVM"
                            + " (-Xmx512m), " + count + " sessions opened in " + openMs + " ms");
            System.out.printf(
                    Locale.ROOT,
                    "  live heap  before %s, with sessions %s, after closing %s%n",
                    HeapProbe.mb(before.heap()),
                    HeapProbe.mb(during.heap()),
                    HeapProbe.mb(after.heap()));
            System.out.printf(
                    Locale.ROOT,
                    "  off-heap   before %s, with sessions %s, after closing %s%n",
                    HeapProbe.mb(before.direct()),
                    HeapProbe.mb(during.direct()),
                    HeapProbe.mb(after.direct()));
            System.out.printf(
                    Locale.ROOT,
                    "  per idle session: heap %.1f KB, off-heap %.1f KB%n",
                    (during.heap() - before.heap()) / 1024.0 / count,
                    (during.direct() - before.direct()) / 1024.0 / count);
            if (histogram) {
                System.out.println("  largest growth per session, by class:");
                histoDuring.entrySet().stream()
                        .map(e -> java.util.Map.entry(
                                e.getKey(), e.getValue() - histoBefore.getOrDefault(e.getKey(), 0L)))
                        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                        .limit(12)
                        .forEach(e -> System.out.printf(
                                Locale.ROOT, "    %8.0f B  %s%n", e.getValue() / (double) count, e.getKey()));
            }
        }
    }

    /** Opens sessions with 8 threads; each ends waiting in IDLE (the "+" was read). */
    private static List<RawImap> openIdle(int port, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<RawImap>> tasks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                tasks.add(() -> {
                    RawImap c = RawImap.connect("127.0.0.1", port);
                    c.login("small", "small");
                    c.ok("s", "SELECT INBOX");
                    c.send("i IDLE\r\n");
                    String cont = c.readLine();
                    if (cont == null || !cont.startsWith("+")) {
                        throw new IllegalStateException("IDLE not accepted: " + cont);
                    }
                    return c;
                });
            }
            List<RawImap> out = new ArrayList<>();
            for (Future<RawImap> f : pool.invokeAll(tasks)) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void closeAll(List<RawImap> conns) {
        for (RawImap c : conns) {
            c.send("DONE\r\nz LOGOUT\r\n");
            c.close();
        }
    }

    private static void awaitSessions(ProxyProcess proxy, int expected) throws InterruptedException {
        for (int i = 0; i < 60; i++) {
            if (proxy.memory().sessions() == expected) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("proxy sessions did not reach " + expected);
    }

    private static int arg(String[] args, String name, int dflt) {
        for (String a : args) {
            if (a.startsWith(name + "=")) {
                return Integer.parseInt(a.substring(name.length() + 1));
            }
        }
        return dflt;
    }
}

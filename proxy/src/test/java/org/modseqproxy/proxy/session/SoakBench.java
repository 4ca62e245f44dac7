package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.HeapProbe;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyProcess;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.state.testing.RedisServerExtension;

/**
 * Issue 10's soak (bench only): normal QRESYNC clients, the socket fuzzer's mutated sessions and careless clients
 * (gone mid-login, mid-literal, mid-IDLE, wrong passwords, never a LOGOUT) run together against one proxy with Redis
 * state in front of GreenMail for {@code -Dmodseq.soak.minutes} (default 60). The proxy runs alone in a child JVM
 * ({@link ProxyProcess}), so the figures are its own, not GreenMail's. Every {@code -Dmodseq.soak.sampleSeconds}
 * (default 60) it prints the proxy's live heap after GC, its open file descriptors, sessions and threads; at the end,
 * (each client thread pauses {@code -Dmodseq.soak.pauseMillis}, default 20, between sessions)
 * once every client is gone, heap and descriptors must be back near the first sample taken after warm-up.
 *
 * <pre>mvn -Dbench -pl proxy -am verify -Dtest=SoakBench -Dsurefire.failIfNoSpecifiedTests=false -Dmodseq.soak.minutes=60</pre>
 */
@Tag("bench")
class SoakBench {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private final AtomicLong normal = new AtomicLong();
    private final AtomicLong hostile = new AtomicLong();
    private final AtomicLong careless = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean running = true;

    @Test
    void heapAndDescriptorsStayFlat() throws Exception {
        double minutes = Double.parseDouble(System.getProperty("modseq.soak.minutes", "60"));
        int sampleSeconds = Integer.getInteger("modseq.soak.sampleSeconds", 60);
        GreenMailBackend backend = GreenMailBackend.steady(); // see steady(): stock GreenMail leaks spinning threads
        for (int i = 0; i < 4; i++) {
            backend.userWithMessages("soak" + i, "pw", 20);
        }
        backend.userWithMessages("fuzz", "pw", 5);
        ProxyProcess proxy =
                ProxyProcess.startWithState(backend.port(), REDIS.server().uri(), "-Xmx256m");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<String> table = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                int user = i;
                pool.submit(() -> loop(() -> normalSession(proxy, "soak" + user), normal));
            }
            pool.submit(() -> loop(() -> fuzzSession(proxy), hostile));
            pool.submit(() -> loop(() -> carelessSession(proxy), careless));

            long until = System.nanoTime() + (long) (minutes * 60e9);
            long firstHeap = -1;
            long firstFds = -1;
            table.add(
                    "| minute | heap after GC | direct | fds | sessions | threads | normal | fuzzed | careless | failures |");
            table.add("|---|---|---|---|---|---|---|---|---|---|");
            long start = System.nanoTime();
            while (System.nanoTime() < until) {
                Thread.sleep(Math.min(sampleSeconds * 1000L, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
                ProxyProcess.Memory mem = proxy.memory();
                long heap = mem.heap();
                long fds = openFds(proxy.pid());
                if (firstHeap < 0) {
                    firstHeap = heap;
                    firstFds = fds;
                }
                String row = String.format(
                        Locale.ROOT,
                        "| %.1f | %s | %s | %d | %d | %d | %d | %d | %d | %d |",
                        (System.nanoTime() - start) / 60e9,
                        HeapProbe.mb(heap),
                        HeapProbe.mb(mem.direct()),
                        fds,
                        mem.sessions(),
                        threads(proxy.pid()),
                        normal.get(),
                        hostile.get(),
                        careless.get(),
                        failures.get());
                table.add(row);
                System.out.println("SoakBench " + row);
            }
            running = false;
            pool.shutdown();
            assertThat(pool.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> proxy.memory().sessions() == 0);
            ProxyProcess.Memory end = proxy.memory();
            long heapEnd = end.heap();
            long fdsEnd = openFds(proxy.pid());
            table.add(String.format(
                    Locale.ROOT,
                    "| end, all clients gone | %s | %s | %d | %d | %d | %d | %d | %d | %d |",
                    HeapProbe.mb(heapEnd),
                    HeapProbe.mb(end.direct()),
                    fdsEnd,
                    end.sessions(),
                    threads(proxy.pid()),
                    normal.get(),
                    hostile.get(),
                    careless.get(),
                    failures.get()));
            System.out.println("SoakBench results (" + minutes + " min):\n" + String.join("\n", table));
            try (RawImap c = RawImap.connect("127.0.0.1", proxy.port()).login("soak0", "pw")) {
                assertThat(c.ok("s", "SELECT INBOX (CONDSTORE)")).startsWith("s OK");
            }
            assertThat(heapEnd)
                    .as("live heap back near the first sample (+16 MB)")
                    .isLessThan(firstHeap + 16L * 1024 * 1024);
            assertThat(fdsEnd).as("file descriptors back near the first sample").isLessThanOrEqualTo(firstFds + 8);
            assertThat(normal.get()).as("normal sessions completed").isPositive();
        } finally {
            running = false;
            pool.shutdownNow();
            proxy.close();
            backend.close();
        }
    }

    private interface Session {
        void run() throws Exception;
    }

    /** A pause after each session, per client thread, so a long soak leaves the machine usable (0: flat out). */
    private final long pauseMillis = Long.getLong("modseq.soak.pauseMillis", 20);

    private void loop(Session s, AtomicLong count) {
        while (running) {
            try {
                s.run();
                count.incrementAndGet();
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                return;
            } catch (Exception | AssertionError e) {
                if (running) {
                    failures.incrementAndGet();
                    System.out.println("SoakBench failure: " + e);
                }
            }
        }
    }

    /** A mobile client's resync loop: QRESYNC select, changes since, a flag change, a delivery, an expunge, IDLE. */
    private void normalSession(ProxyProcess proxy, String user) {
        try (RawImap c = RawImap.connect("127.0.0.1", proxy.port()).login(user, "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            List<String> sel = c.command("s", "SELECT INBOX");
            assertThat(ImapLines.tagged(sel)).startsWith("s OK");
            long hms = ImapLines.highestModSeq(sel);
            c.ok("f", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + Math.max(1, hms - 5) + " VANISHED)");
            c.ok("t", "STORE 1 " + (Math.random() < 0.5 ? "+" : "-") + "FLAGS (\\Seen)");
            c.append("a", "INBOX", null, "Subject: soak\r\n\r\nbody\r\n");
            c.ok("d", "STORE 1 +FLAGS.SILENT (\\Deleted)");
            c.ok("x", "EXPUNGE");
            c.send("i IDLE\r\n");
            assertThat(c.readLine()).startsWith("+");
            c.send("DONE\r\n");
            assertThat(ImapLines.tagged(c.readUntilTagged("i"))).startsWith("i OK");
            c.ok("o", "LOGOUT");
        }
    }

    private final Random rnd = new Random(Long.getLong("modseq.soak.seed", 1));

    private void fuzzSession(ProxyProcess proxy) throws IOException {
        byte[] input;
        synchronized (rnd) {
            input = SocketFuzzTest.mutate(
                    rnd,
                    SocketFuzzTest.CORPUS[rnd.nextInt(SocketFuzzTest.CORPUS.length)].getBytes(
                            StandardCharsets.ISO_8859_1));
        }
        SocketFuzzTest.exchange(
                proxy.port(), SocketFuzzTest.concat(input, "\r\nzz LOGOUT\r\n".getBytes(StandardCharsets.US_ASCII)));
    }

    private int carelessRound;

    /** Clients that leave at the worst moment, one kind per round. */
    private void carelessSession(ProxyProcess proxy) throws IOException {
        String[] kinds = {
            "a LOGIN soak1 pw\r\n", // gone while the backend login is in flight
            "a LOGIN soak1 {2}\r\n", // gone inside a literal
            "a LOGIN soak1 pw\r\nb SELECT INBOX\r\nc IDLE\r\n", // gone in IDLE
            "a LOGIN soak1 wrong\r\nb LOGIN soak1 wrong\r\n", // guessing
            "a LOGIN soak1 pw\r\nb SELECT INBOX (CONDSTORE)\r\nc FETCH 1:* (FLAGS)\r\n", // gone mid-answer
            "a LOGIN soak1 pw\r\nb APPEND INBOX {100}\r\nabc", // gone mid-APPEND
        };
        String kind = kinds[carelessRound++ % kinds.length];
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            OutputStream out = s.getOutputStream();
            out.write(kind.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.setSoTimeout(200);
            try {
                s.getInputStream().read(new byte[4096]); // the greeting, maybe more; then gone without LOGOUT
            } catch (IOException e) {
                // nothing more to read in time: leave anyway
            }
        }
    }

    private static long openFds(long pid) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.count();
        }
    }

    private static long threads(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("Threads:"))
                .mapToLong(l -> Long.parseLong(l.substring(8).trim()))
                .findFirst()
                .orElse(-1);
    }
}

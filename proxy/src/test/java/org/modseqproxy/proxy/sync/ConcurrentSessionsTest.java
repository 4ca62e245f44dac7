package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * Many sessions selecting and storing in one mailbox at once (what the Gatling resync scenario does): every SELECT
 * (CONDSTORE) must get HIGHESTMODSEQ, never a NOMODSEQ fallback, and every MODSEQ must be positive.
 */
class ConcurrentSessionsTest {
    @Test
    void concurrentSelectsAndStoresKeepModSeqs() throws Exception {
        try (GreenMailBackend backend = new GreenMailBackend()) {
            var user = backend.user("bob", "pw");
            for (int i = 1; i <= 40; i++) {
                backend.deliver(user, "m" + i, "body");
            }
            try (ProxyFixture proxy = ProxyFixture.start("127.0.0.1", backend.port())) {
                ExecutorService pool = Executors.newFixedThreadPool(8);
                ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
                java.util.concurrent.atomic.AtomicInteger backendCrashes =
                        new java.util.concurrent.atomic.AtomicInteger();
                List<Future<?>> jobs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int seed = t;
                    jobs.add(pool.submit(() -> {
                        Random r = new Random(seed);
                        for (int round = 0; round < 8; round++) {
                            try (RawImap c = proxy.connect().login("bob", "pw")) {
                                List<String> sel = c.command("a", "SELECT INBOX (CONDSTORE)");
                                if (sel.stream().noneMatch(l -> l.startsWith("* OK [HIGHESTMODSEQ "))) {
                                    problems.add("select: " + sel);
                                }
                                for (int k = 0; k < 3; k++) {
                                    int msg = 1 + r.nextInt(40);
                                    List<String> st = c.command(
                                            "s" + k,
                                            "STORE " + msg + " " + (r.nextBoolean() ? "+" : "-") + "FLAGS (\\Flagged)");
                                    if (!st.get(st.size() - 1).startsWith("s" + k + " OK")) {
                                        problems.add("store: " + st);
                                    }
                                    st.stream()
                                            .filter(l -> l.contains("FETCH")
                                                    && l.contains("FLAGS")
                                                    && !l.matches(".*MODSEQ \\([1-9]\\d*\\).*"))
                                            .forEach(l -> problems.add("fetch without MODSEQ: " + l));
                                }
                                c.command("z", "LOGOUT");
                            } catch (IllegalStateException e) {
                                // GreenMail 2.1.5 itself sometimes crashes a session under concurrent STOREs ("Need to
                                // do this properly" in ImapSessionFolder); the proxy then says BYE, which is right. Not
                                // what we test here.
                                if (!String.valueOf(e.getMessage()).contains("* BYE Backend closed the connection")) {
                                    throw e;
                                }
                                backendCrashes.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> j : jobs) {
                    j.get(120, TimeUnit.SECONDS);
                }
                pool.shutdownNow();
                assertThat(problems).isEmpty();
                assertThat(backendCrashes.get())
                        .as("rounds lost to GreenMail crashes")
                        .isLessThan(32);
            }
        }
    }
}

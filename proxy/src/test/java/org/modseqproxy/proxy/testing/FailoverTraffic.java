package org.modseqproxy.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.modseqproxy.state.Flags;

/**
 * Client traffic through two proxy instances on one Redis deployment while a test breaks that deployment (issue 5:
 * "no error reaches a client beyond a NOMODSEQ/slower resync"). Two writers, one per instance, toggle {@code \Seen}
 * and {@code \Flagged} on alice's INBOX ({@link #seed}); a third client SELECTs through both instances in turn.
 * The test calls {@link #faultNow()} just before it breaks Redis, then {@link #awaitEnd()} and
 * {@link #assertRecovered()}: every command completed OK; both instances answer HIGHESTMODSEQ again, above every
 * mod-sequence handed out before the fault; a QRESYNC from before the traffic gives the backend's truth through
 * either instance. SELECTs may say NOMODSEQ meanwhile (RFC 7162 3.1.2.2); they are counted, as are FETCH answers
 * without MODSEQ.
 *
 * <p>A BYE "Backend closed the connection" is GreenMail 2.1 failing under concurrent sessions
 * (ImapSessionFolder.getExpunged race, seen without Redis faults too): counted, and the client reconnects as a client
 * would.
 */
public final class FailoverTraffic {
    /** Messages {@link #seed} delivers; the writers cycle through their UIDs. */
    public static final int MESSAGES = 30;

    private static final String GREENMAIL_BYE = "BYE Backend closed the connection";

    private final GreenMailBackend backend;
    private final ProxyFixture p1;
    private final ProxyFixture p2;
    private final QresyncClient before;
    private final ExecutorService pool = Executors.newFixedThreadPool(3);
    private final List<Future<?>> clients;

    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final AtomicInteger noModSeqSelects = new AtomicInteger();
    private final AtomicInteger modSeqSelects = new AtomicInteger();
    private final AtomicInteger fetchWithoutModSeq = new AtomicInteger();
    private final AtomicInteger backendByes = new AtomicInteger();
    private final AtomicLong maxModSeqBeforeFault = new AtomicLong();
    private final AtomicLong firstModSeqSelectAfterFault = new AtomicLong(); // System.nanoTime(), 0 = none yet
    private volatile boolean faulted;
    private volatile long faultAt;

    /** Delivers {@link #MESSAGES} messages to user alice (password pw). */
    public static void seed(GreenMailBackend backend) {
        backend.userWithMessages("alice", "pw", MESSAGES);
    }

    /**
     * Waits until both instances reach Redis, takes a QRESYNC client's snapshot through {@code p1}, then starts the
     * three clients for {@code length}.
     */
    public static FailoverTraffic start(GreenMailBackend backend, ProxyFixture p1, ProxyFixture p2, Duration length) {
        Awaitility.await()
                .atMost(Duration.ofSeconds(15))
                .until(() -> p1.store().available() && p2.store().available());
        return new FailoverTraffic(backend, p1, p2, length);
    }

    private FailoverTraffic(GreenMailBackend backend, ProxyFixture p1, ProxyFixture p2, Duration length) {
        this.backend = backend;
        this.p1 = p1;
        this.p2 = p2;
        this.before = QresyncClient.fullFrom(p1, "alice", "pw", "INBOX").after();
        maxModSeqBeforeFault.set(before.highestModSeq());
        long end = System.nanoTime() + length.toNanos();
        clients = List.of(
                pool.submit(() -> writer("A", p1, "\\Seen", end)),
                pool.submit(() -> writer("B", p2, "\\Flagged", end)),
                pool.submit(() -> selecter(end)));
    }

    /** Call right before breaking Redis: from now on answers no longer count as "before the fault". */
    public void faultNow() {
        faultAt = System.nanoTime();
        faulted = true;
    }

    public long millisSinceFault() {
        return (System.nanoTime() - faultAt) / 1_000_000;
    }

    /** Waits for the three clients; one that threw (an AssertionError of {@link RawImap#ok}) fails here. */
    public void awaitEnd() throws Exception {
        try {
            for (Future<?> f : clients) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
    }

    /** The counts, for the test's report line. */
    public String summary() {
        long back = firstModSeqSelectAfterFault.get();
        return String.format(
                "first SELECT with HIGHESTMODSEQ after the fault: %s; selects with HIGHESTMODSEQ %d, with"
                        + " NOMODSEQ %d, FETCH FLAGS without MODSEQ %d; GreenMail BYEs %d; errors %d",
                back == 0 ? "none during traffic" : (back - faultAt) / 1_000_000 + " ms",
                modSeqSelects.get(),
                noModSeqSelects.get(),
                fetchWithoutModSeq.get(),
                backendByes.get(),
                errors.size());
    }

    /**
     * No client saw an error; both instances answer HIGHESTMODSEQ again (within 20 s), above everything handed out
     * before the fault; the QRESYNC snapshot taken at the start resyncs to the backend's truth through both.
     */
    public void assertRecovered() {
        assertThat(errors).as("errors seen by clients").isEmpty();
        for (ProxyFixture p : List.of(p1, p2)) {
            assertThat(awaitHighestModSeq(p))
                    .as("HIGHESTMODSEQ through %s after the fault", name(p))
                    .isGreaterThan(maxModSeqBeforeFault.get());
        }
        Map<Long, Flags> truth = BackendTruth.flags("127.0.0.1", backend.port(), "alice", "pw", "INBOX");
        for (ProxyFixture p : List.of(p1, p2)) {
            try (RawImap c = p.connect().login("alice", "pw")) {
                c.ok("e", "ENABLE QRESYNC");
                QresyncClient.Resync r = before.resync(c, "INBOX", "q", true);
                assertThat(r.problems()).as("QRESYNC through %s", name(p)).isEmpty();
                assertThat(BackendTruth.diff(truth, r.after().cache()))
                        .as("QRESYNC through %s", name(p))
                        .isEmpty();
            }
        }
    }

    private String name(ProxyFixture p) {
        return p == p1 ? "instance 1" : "instance 2";
    }

    /** SELECTs until the answer has HIGHESTMODSEQ (not NOMODSEQ), and returns it. */
    private long awaitHighestModSeq(ProxyFixture p) {
        long[] hms = {0};
        try (RawImap c = p.connect().login("alice", "pw")) {
            int[] n = {0};
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        List<String> sel = c.command("w" + n[0]++, "SELECT INBOX (CONDSTORE)");
                        if (sel.stream().anyMatch(l -> l.contains("[HIGHESTMODSEQ "))) {
                            hms[0] = ImapLines.highestModSeq(sel);
                            return true;
                        }
                        return false;
                    });
        }
        return hms[0];
    }

    /** Toggles its flag on messages 1..MESSAGES in turn; any non-OK answer is an error and ends the writer. */
    private void writer(String who, ProxyFixture p, String flag, long end) {
        int round = 0;
        while (System.nanoTime() < end) {
            try (RawImap c = p.connect().login("alice", "pw")) {
                c.ok("s", "SELECT INBOX (CONDSTORE)");
                while (System.nanoTime() < end) {
                    long uid = 1 + round % MESSAGES;
                    String sign = (round / MESSAGES) % 2 == 0 ? "+" : "-";
                    String tag = who + round++;
                    List<String> out = c.command(tag, "UID STORE " + uid + " " + sign + "FLAGS (" + flag + ")");
                    if (!ImapLines.tagged(out).startsWith(tag + " OK")) {
                        errors.add(who + ": " + out);
                        return;
                    }
                    for (String l : out) {
                        ImapLines.fetch(l).ifPresent(f -> {
                            if (f.modSeq() == 0) {
                                fetchWithoutModSeq.incrementAndGet();
                            } else if (!faulted) {
                                maxModSeqBeforeFault.accumulateAndGet(f.modSeq(), Math::max);
                            }
                        });
                    }
                }
                c.ok("z", "LOGOUT");
            } catch (IllegalStateException e) {
                if (!String.valueOf(e.getMessage()).contains(GREENMAIL_BYE)) {
                    errors.add(who + ": " + e);
                    return;
                }
                backendByes.incrementAndGet();
            } catch (RuntimeException e) {
                errors.add(who + ": " + e);
                return;
            }
        }
    }

    /** One SELECT per connection, through p1 and p2 in turn; notes when HIGHESTMODSEQ is back after the fault. */
    private void selecter(long end) {
        int n = 0;
        while (System.nanoTime() < end) {
            try (RawImap c = (n % 2 == 0 ? p1 : p2).connect().login("alice", "pw")) {
                boolean startedAfterFault = faulted;
                List<String> sel = c.command("s", "SELECT INBOX (CONDSTORE)");
                if (!ImapLines.tagged(sel).startsWith("s OK")) {
                    errors.add("selecter: " + sel);
                } else if (sel.stream().anyMatch(l -> l.startsWith("* OK [NOMODSEQ]"))) {
                    noModSeqSelects.incrementAndGet();
                } else {
                    long h = ImapLines.highestModSeq(sel);
                    modSeqSelects.incrementAndGet();
                    if (!faulted) {
                        maxModSeqBeforeFault.accumulateAndGet(h, Math::max);
                    } else if (startedAfterFault) {
                        firstModSeqSelectAfterFault.compareAndSet(0, System.nanoTime());
                    }
                }
                c.ok("z", "LOGOUT");
                Thread.sleep(150);
            } catch (InterruptedException e) {
                return;
            } catch (IllegalStateException e) {
                if (!String.valueOf(e.getMessage()).contains(GREENMAIL_BYE)) {
                    errors.add("selecter: " + e);
                } else {
                    backendByes.incrementAndGet();
                }
            } catch (RuntimeException e) {
                errors.add("selecter: " + e);
            }
            n++;
        }
    }
}

package org.modseqproxy.proxy.multi;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.BackendTruth;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.QresyncClient;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.testing.RedisSentinelFixture;

/**
 * Issue 5, "Sentinel failover ... during traffic: no error reaches a client beyond a NOMODSEQ/slower resync during the
 * switch". A master, one replica and three sentinels; two proxy instances use them through
 * {@code redis-sentinel://s1,s2,s3#modseq} (Lettuce's own Sentinel support: the master's address is asked of the
 * sentinels on every reconnect). While two writers (one per instance) change flags and a third client keeps
 * selecting, the master is SIGKILLed and the sentinels promote the replica. Every command must still complete OK;
 * SELECTs may say NOMODSEQ during the switch (RFC 7162 3.1.2.2), then HIGHESTMODSEQ again, above everything seen
 * before; a QRESYNC from before the fault gives the backend's truth.
 *
 * <p>Replication is asynchronous: a change acknowledged in the last instant before the kill can be missing on the
 * promoted replica. That rollback case is reproduced exactly, and handled, by state's RedisRollbackTest.
 */
class SentinelFailoverTest {
  static final long TRAFFIC_MILLIS = 12_000;

  RedisSentinelFixture sentinel;
  GreenMailBackend backend;
  ProxyFixture p1;
  ProxyFixture p2;

  final List<String> errors = new CopyOnWriteArrayList<>();
  final AtomicInteger noModSeqSelects = new AtomicInteger();
  final AtomicInteger modSeqSelects = new AtomicInteger();
  final AtomicInteger fetchWithoutModSeq = new AtomicInteger();
  final AtomicInteger backendByes = new AtomicInteger();
  final AtomicLong maxModSeqBeforeKill = new AtomicLong();
  final AtomicLong firstModSeqSelectAfterKill = new AtomicLong(); // System.nanoTime(), 0 = none yet
  volatile boolean killed;
  volatile long killedAt;

  @BeforeEach
  void start() {
    sentinel = RedisSentinelFixture.start();
    backend = new GreenMailBackend();
    var alice = backend.user("alice", "pw");
    for (int i = 1; i <= 30; i++) {
      backend.deliver(alice, "m" + i, "body " + i);
    }
    p1 = ProxyFixture.start("127.0.0.1", backend.port(), sentinel.uri(), c -> {});
    p2 = ProxyFixture.start("127.0.0.1", backend.port(), sentinel.uri(), c -> {});
  }

  @AfterEach
  void stop() {
    p1.close();
    p2.close();
    backend.close();
    sentinel.close();
  }

  @Test
  void killingTheSentinelMasterCostsAtMostNoModSeq() throws Exception {
    Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> p1.store().available() && p2.store().available());
    QresyncClient old = QresyncClient.fullFrom(p1, "alice", "pw", "INBOX").after();
    maxModSeqBeforeKill.set(old.highestModSeq());

    ExecutorService pool = Executors.newFixedThreadPool(3);
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TRAFFIC_MILLIS);
    Future<?> a = pool.submit(() -> writer("A", p1, "\\Seen", end));
    Future<?> b = pool.submit(() -> writer("B", p2, "\\Flagged", end));
    Future<?> s = pool.submit(() -> selecter(end));
    Thread.sleep(3000);
    killedAt = System.nanoTime();
    killed = true;
    int victim = sentinel.killMaster();
    int promoted = sentinel.awaitFailover(Duration.ofSeconds(30));
    long failoverMs = (System.nanoTime() - killedAt) / 1_000_000;
    a.get(60, TimeUnit.SECONDS);
    b.get(60, TimeUnit.SECONDS);
    s.get(60, TimeUnit.SECONDS);
    pool.shutdown();

    // both instances answer HIGHESTMODSEQ again, above everything handed out before the kill
    long[] hms = new long[2];
    int k = 0;
    for (ProxyFixture p : List.of(p1, p2)) {
      int idx = k++;
      try (RawImap c = p.connect().login("alice", "pw")) {
        int[] n = {0};
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
          List<String> sel = c.command("w" + n[0]++, "SELECT INBOX (CONDSTORE)");
          if (sel.stream().anyMatch(l -> l.contains("[HIGHESTMODSEQ "))) {
            hms[idx] = ImapLines.highestModSeq(sel);
            return true;
          }
          return false;
        });
      }
    }
    long back = firstModSeqSelectAfterKill.get();
    System.out.printf("MULTI sentinel: master %d -> %d, sentinels agreed after %d ms, first SELECT with HIGHESTMODSEQ"
        + " %s ms after the kill; selects with HIGHESTMODSEQ %d, with NOMODSEQ %d, FETCH FLAGS without MODSEQ %d;"
        + " GreenMail BYEs %d; errors %d%n", victim, promoted, failoverMs,
        back == 0 ? "(none during traffic)" : Long.toString((back - killedAt) / 1_000_000), modSeqSelects.get(),
        noModSeqSelects.get(), fetchWithoutModSeq.get(), backendByes.get(), errors.size());
    assertThat(errors).as("errors seen by clients").isEmpty();
    assertThat(promoted).isNotEqualTo(victim);
    assertThat(hms[0]).isGreaterThan(maxModSeqBeforeKill.get());
    assertThat(hms[1]).isGreaterThan(maxModSeqBeforeKill.get());

    Map<Long, Flags> truth = BackendTruth.flags("127.0.0.1", backend.port(), "alice", "pw", "INBOX");
    for (ProxyFixture p : List.of(p1, p2)) {
      try (RawImap c = p.connect().login("alice", "pw")) {
        c.ok("e", "ENABLE QRESYNC");
        QresyncClient.Resync r = old.resync(c, "INBOX", "q", true);
        assertThat(r.problems()).isEmpty();
        assertThat(BackendTruth.diff(truth, r.after().cache())).isEmpty();
      }
    }
  }

  /**
   * Toggles its flag on messages 1..30 in turn; any non-OK answer is an error. A BYE "Backend closed the connection"
   * is GreenMail 2.1 failing under concurrent sessions (see ClusterMasterKilledTest): counted, and the writer
   * reconnects as a client would.
   */
  private void writer(String who, ProxyFixture p, String flag, long end) {
    int round = 0;
    while (System.nanoTime() < end) {
      try (RawImap c = p.connect().login("alice", "pw")) {
        c.ok("s", "SELECT INBOX (CONDSTORE)");
        while (System.nanoTime() < end) {
          long uid = 1 + round % 30;
          String sign = (round / 30) % 2 == 0 ? "+" : "-";
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
              } else if (!killed) {
                maxModSeqBeforeKill.accumulateAndGet(f.modSeq(), Math::max);
              }
            });
          }
        }
        c.ok("z", "LOGOUT");
      } catch (IllegalStateException e) {
        if (!String.valueOf(e.getMessage()).contains("BYE Backend closed the connection")) {
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

  private void selecter(long end) {
    int n = 0;
    while (System.nanoTime() < end) {
      try (RawImap c = (n % 2 == 0 ? p1 : p2).connect().login("alice", "pw")) {
        boolean startedAfterKill = killed;
        List<String> sel = c.command("s", "SELECT INBOX (CONDSTORE)");
        if (!ImapLines.tagged(sel).startsWith("s OK")) {
          errors.add("selecter: " + sel);
        } else if (sel.stream().anyMatch(l -> l.startsWith("* OK [NOMODSEQ]"))) {
          noModSeqSelects.incrementAndGet();
        } else {
          long h = ImapLines.highestModSeq(sel);
          modSeqSelects.incrementAndGet();
          if (!killed) {
            maxModSeqBeforeKill.accumulateAndGet(h, Math::max);
          } else if (startedAfterKill) {
            firstModSeqSelectAfterKill.compareAndSet(0, System.nanoTime());
          }
        }
        c.ok("z", "LOGOUT");
        Thread.sleep(150);
      } catch (InterruptedException e) {
        return;
      } catch (IllegalStateException e) {
        if (!String.valueOf(e.getMessage()).contains("BYE Backend closed the connection")) {
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

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.BackendTruth;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.QresyncClient;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.proxy.testing.RedisReplicatedCluster;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.MailboxId;

/**
 * Issue 5, "a cluster master killed during traffic: no error reaches a client beyond a NOMODSEQ/slower resync". A Redis
 * Cluster of 3 masters with one replica each; two proxy instances use it through {@code redis-cluster://} (Lettuce's
 * own topology handling). While two writers (one per instance) change flags and a third client keeps selecting,
 * the master serving the mailbox's hash slot is SIGKILLed and its replica takes over. Every command must still
 * complete OK; SELECTs may say NOMODSEQ during the switch, then HIGHESTMODSEQ again, above everything seen before;
 * a QRESYNC from before the fault gives the backend's truth.
 */
class ClusterMasterKilledTest {
  static final long TRAFFIC_MILLIS = 12_000;

  RedisReplicatedCluster cluster;
  GreenMailBackend backend;
  ProxyFixture p1;
  ProxyFixture p2;

  final List<String> errors = new CopyOnWriteArrayList<>();
  final AtomicInteger noModSeqSelects = new AtomicInteger();
  final AtomicInteger modSeqSelects = new AtomicInteger();
  final AtomicInteger fetchWithoutModSeq = new AtomicInteger();
  final AtomicInteger backendByes = new AtomicInteger();
  final AtomicLong maxModSeqBeforeKill = new AtomicLong();
  volatile boolean killed;

  @BeforeEach
  void start() {
    cluster = RedisReplicatedCluster.start();
    backend = new GreenMailBackend();
    var alice = backend.user("alice", "pw");
    for (int i = 1; i <= 30; i++) {
      backend.deliver(alice, "m" + i, "body " + i);
    }
    p1 = ProxyFixture.start("127.0.0.1", backend.port(), cluster.uri(), c -> {});
    p2 = ProxyFixture.start("127.0.0.1", backend.port(), cluster.uri(), c -> {});
  }

  @AfterEach
  void stop() {
    p1.close();
    p2.close();
    backend.close();
    cluster.close();
  }

  @Test
  void killingTheMasterOfTheMailboxSlotCostsAtMostNoModSeq() throws Exception {
    int victim = cluster.masterOf("ms:{" + new MailboxId("b1", "alice", "INBOX").tag() + "}:m");
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> p1.store().available() && p2.store().available());
    QresyncClient old = QresyncClient.fullFrom(p1, "alice", "pw", "INBOX").after();
    maxModSeqBeforeKill.set(old.highestModSeq());

    ExecutorService pool = Executors.newFixedThreadPool(3);
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TRAFFIC_MILLIS);
    Future<?> a = pool.submit(() -> writer("A", p1, "\\Seen", end));
    Future<?> b = pool.submit(() -> writer("B", p2, "\\Flagged", end));
    Future<?> s = pool.submit(() -> selecter(end));
    Thread.sleep(3000);
    long t0 = System.nanoTime();
    killed = true;
    cluster.killMaster(victim);
    cluster.awaitFailover(victim, Duration.ofSeconds(30));
    long failoverMs = (System.nanoTime() - t0) / 1_000_000;
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
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
          List<String> sel = c.command("w" + n[0]++, "SELECT INBOX (CONDSTORE)");
          if (sel.stream().anyMatch(l -> l.contains("[HIGHESTMODSEQ "))) {
            hms[idx] = ImapLines.highestModSeq(sel);
            return true;
          }
          return false;
        });
      }
    }
    System.out.printf("MULTI cluster: failover of master %d took %d ms; selects with HIGHESTMODSEQ %d, with NOMODSEQ %d,"
        + " FETCH FLAGS without MODSEQ %d; GreenMail BYEs %d; errors %d%n", victim, failoverMs, modSeqSelects.get(),
        noModSeqSelects.get(), fetchWithoutModSeq.get(), backendByes.get(), errors.size());
    assertThat(errors).as("errors seen by clients").isEmpty();
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
   * is GreenMail 2.1 failing under concurrent sessions (ImapSessionFolder.getExpunged race, seen without Redis
   * faults too): counted, and the writer reconnects as a client would.
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

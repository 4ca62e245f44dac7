package org.modseqproxy.proxy.multi;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.FailoverTraffic;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.TwoProxies;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.testing.RedisClusterFixture;

/**
 * Issue 5, "a cluster master killed during traffic: no error reaches a client beyond a NOMODSEQ/slower resync". A Redis
 * Cluster of 3 masters with one replica each; two proxy instances use it through {@code redis-cluster://} (Lettuce's
 * own topology handling). While two writers (one per instance) change flags and a third client keeps selecting,
 * the master serving the mailbox's hash slot is SIGKILLed and its replica takes over. Every command must still
 * complete OK; SELECTs may say NOMODSEQ during the switch, then HIGHESTMODSEQ again, above everything seen before;
 * a QRESYNC from before the fault gives the backend's truth.
 */
class ClusterMasterKilledTest {
    static final Duration TRAFFIC = Duration.ofSeconds(12);

    RedisClusterFixture cluster;
    TwoProxies two;
    GreenMailBackend backend;
    ProxyFixture p1;
    ProxyFixture p2;

    @BeforeEach
    void start() {
        cluster = RedisClusterFixture.startForFailover();
        two = TwoProxies.start(cluster.uri());
        backend = two.backend;
        p1 = two.p1;
        p2 = two.p2;
        FailoverTraffic.seed(backend);
    }

    @AfterEach
    void stop() {
        two.close();
        cluster.close();
    }

    @Test
    void killingTheMasterOfTheMailboxSlotCostsAtMostNoModSeq() throws Exception {
        int victim = cluster.masterOf("ms:{" + new MailboxId("b1", "alice", "INBOX").tag() + "}:m");
        FailoverTraffic traffic = FailoverTraffic.start(backend, p1, p2, TRAFFIC);
        Thread.sleep(3000);
        traffic.faultNow();
        cluster.killMaster(victim);
        cluster.awaitFailover(victim, Duration.ofSeconds(30));
        long failoverMs = traffic.millisSinceFault();
        traffic.awaitEnd();

        System.out.printf(
                "MULTI cluster: failover of master %d took %d ms; %s%n", victim, failoverMs, traffic.summary());
        traffic.assertRecovered();
    }
}

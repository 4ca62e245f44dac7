package org.modseqproxy.proxy.multi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.FailoverTraffic;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.TwoProxies;
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
    static final Duration TRAFFIC = Duration.ofSeconds(12);

    RedisSentinelFixture sentinel;
    TwoProxies two;
    GreenMailBackend backend;
    ProxyFixture p1;
    ProxyFixture p2;

    @BeforeEach
    void start() {
        sentinel = RedisSentinelFixture.start();
        two = TwoProxies.start(sentinel.uri());
        backend = two.backend;
        p1 = two.p1;
        p2 = two.p2;
        FailoverTraffic.seed(backend);
    }

    @AfterEach
    void stop() {
        two.close();
        sentinel.close();
    }

    @Test
    void killingTheSentinelMasterCostsAtMostNoModSeq() throws Exception {
        FailoverTraffic traffic = FailoverTraffic.start(backend, p1, p2, TRAFFIC);
        Thread.sleep(3000);
        traffic.faultNow();
        int victim = sentinel.killMaster();
        int promoted = sentinel.awaitFailover(Duration.ofSeconds(30));
        long failoverMs = traffic.millisSinceFault();
        traffic.awaitEnd();

        System.out.printf(
                "MULTI sentinel: master %d -> %d, sentinels agreed after %d ms; %s%n",
                victim, promoted, failoverMs, traffic.summary());
        assertThat(promoted).isNotEqualTo(victim);
        traffic.assertRecovered();
    }
}

package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.modseqproxy.state.testing.RedisSecurity;
import org.modseqproxy.state.testing.RedisSentinelFixture;
import org.modseqproxy.state.testing.TestCertificates;

/**
 * What a {@code rediss-sentinel://} store checks on its two hops (sentinel, then the master the sentinels name), on a
 * set whose certificates name only {@code localhost} and whose every port wants a client certificate (mutual TLS).
 * The sentinels report the master as {@code 127.0.0.1}, so this pins down what an operator must know: the data
 * nodes' certificates must name the address the sentinels announce, unless the URI says {@code ?verifyPeer=CA}
 * (before the {@code #master} fragment), and the store's client certificate is shown to sentinels and data nodes
 * alike.
 */
class RedisSentinelTlsVerificationTest {

    private static final MailboxId BOX = new MailboxId("b1", "alice", "INBOX");
    private static TestCertificates certs;
    private static RedisSentinelFixture sentinel;

    @BeforeAll
    static void startSentinel() {
        certs = TestCertificates.create("dns:localhost");
        sentinel = RedisSentinelFixture.start(
                RedisSecurity.tls(certs).withClientCertRequired(), 1, StoreOptions.Credentials.NONE);
    }

    @AfterAll
    static void stopSentinel() {
        if (sentinel != null) {
            sentinel.close();
        }
    }

    private static StoreOptions options(boolean clientCert) {
        return StoreOptions.defaults()
                .withCommandTimeout(Duration.ofSeconds(1))
                .withCircuitRetryDelay(Duration.ofMillis(200))
                .withTls(new StoreOptions.Tls(
                        certs.caFile(),
                        clientCert ? certs.clientCertFile() : null,
                        clientCert ? certs.clientKeyFile() : null));
    }

    /** The sentinels addressed by the name their certificates carry. */
    private static String byName() {
        return sentinel.uriWithoutCredentials().replace("127.0.0.1", "localhost");
    }

    private static Throwable failure(String uri, StoreOptions opts) {
        try (ModSeqStore s = ModSeqStores.create(uri, opts)) {
            return Assertions.catchThrowableOfType(
                            ExecutionException.class,
                            () -> s.bump(BOX, 7).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .getCause();
        }
    }

    /** Every message in the cause chain, and in the suppressed exceptions (Lettuce adds one per sentinel tried). */
    private static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        collect(e, sb, 0);
        return sb.toString();
    }

    private static void collect(Throwable t, StringBuilder sb, int depth) {
        if (t == null || depth > 20) {
            return;
        }
        sb.append(t).append('\n');
        for (Throwable s : t.getSuppressed()) {
            collect(s, sb, depth + 1);
        }
        collect(t.getCause(), sb, depth + 1);
    }

    @Test
    void theMastersCertificateIsCheckedAgainstTheAddressTheSentinelsReport() {
        Throwable e = failure(byName(), options(true));
        assertThat(e).isInstanceOf(StoreUnavailableException.class);
        // the sentinels (localhost, as their certificates say) answered: the failed connection is to the master, at the
        // address they reported, whose certificate does not name it
        int master = sentinel.masterPort();
        assertThat(causes(e))
                .contains("127.0.0.1/<unresolved>:" + master)
                .contains("No subject alternative names matching IP address 127.0.0.1");
    }

    @Test
    void verifyPeerCaChecksTheChainOnlyOnBothHops() throws Exception {
        String uri = byName().replace("#", "?verifyPeer=CA#");
        assertThat(uri).endsWith("?verifyPeer=CA#" + RedisSentinelFixture.MASTER_NAME);
        try (ModSeqStore s = ModSeqStores.create(uri, options(true))) {
            long h = s.highestModSeq(BOX, 7).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(s.bump(BOX, 7).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isEqualTo(h + 1);
        }
        // the sentinels' certificates still come from the trusted CA: without it nothing is reachable
        StoreOptions noCa =
                options(true).withTls(new StoreOptions.Tls(null, certs.clientCertFile(), certs.clientKeyFile()));
        assertThat(causes(failure(uri, noCa)))
                .contains("Cannot connect Redis Sentinel")
                .containsPattern("PKIX path building failed|unable to find valid certification path");
    }

    @Test
    void theClientCertificateIsShownToTheSentinels() {
        String uri = byName().replace("#", "?verifyPeer=CA#");
        Throwable e = failure(uri, options(false));
        assertThat(e).isInstanceOf(StoreUnavailableException.class);
        // refused at the first hop: no sentinel accepts a client without a certificate
        assertThat(causes(e)).contains("Cannot connect Redis Sentinel").doesNotContain(":" + sentinel.masterPort());
    }
}

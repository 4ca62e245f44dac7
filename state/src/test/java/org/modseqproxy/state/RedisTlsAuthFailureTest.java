package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.state.testing.RedisSecurity;
import org.modseqproxy.state.testing.RedisServerFixture;
import org.modseqproxy.state.testing.TestCertificates;

/**
 * What an operator gets wrong with a secured Redis, against real redis-server processes: a wrong password, a server
 * certificate the proxy does not trust, a certificate for another host name, a missing client certificate. Each
 * must leave the store unavailable (so the proxy answers NOMODSEQ, RFC 7162 3.1.2.2), with calls failing within
 * about one timeout, never hanging; the cause must say what is wrong without showing the secret. And what is right
 * must work: mutual TLS with the client certificate, {@code verifyPeer=CA}, requirepass.
 */
class RedisTlsAuthFailureTest {

    private static final MailboxId BOX = new MailboxId("b1", "alice", "INBOX");
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private RedisServerFixture redis;

    @AfterEach
    void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    private static StoreOptions options(TestCertificates trust) {
        StoreOptions o =
                StoreOptions.defaults().withCommandTimeout(TIMEOUT).withCircuitRetryDelay(Duration.ofMillis(200));
        return trust == null ? o : o.withTls(new StoreOptions.Tls(trust.caFile(), null, null));
    }

    private static StoreOptions login(StoreOptions o, String user, String password) {
        return o.withCredentials(new StoreOptions.Credentials(user, password));
    }

    /** The first call fails within a few timeouts with StoreUnavailableException; returns its root cause. */
    private static Throwable assertUnavailable(ModSeqStore store) {
        long t0 = System.nanoTime();
        Throwable[] failure = new Throwable[1];
        assertThatThrownBy(() -> store.bump(BOX, 7).toCompletableFuture().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .satisfies(e -> failure[0] = e.getCause())
                .hasCauseInstanceOf(StoreUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0))
                .isLessThan(TIMEOUT.multipliedBy(15)); // a few timeouts, not a hang; generous for a busy machine
        Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> !store.available());
        // while it stays wrong, later calls fail at once (circuit open) or after one more attempt
        long t1 = System.nanoTime();
        assertThatThrownBy(() -> store.load(BOX, 7).toCompletableFuture().get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(StoreUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t1))
                .isLessThan(TIMEOUT.multipliedBy(15)); // a few timeouts, not a hang; generous for a busy machine
        Throwable root = failure[0];
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static void assertWorks(ModSeqStore store) {
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(store::available);
        try {
            long h = store.bump(BOX, 7).toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertThat(store.highestModSeq(BOX, 7).toCompletableFuture().get(20, TimeUnit.SECONDS))
                    .isEqualTo(h);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void wrongPasswordIsUnavailableSaysWrongPassAndRecoversWhenTheServerAgrees() throws Exception {
        redis = RedisServerFixture.start(
                RedisSecurity.tls(TestCertificates.loopback()).withUser("alice", "right"));
        try (ModSeqStore store = ModSeqStores.create(
                redis.uriWithoutCredentials(), login(options(TestCertificates.loopback()), "alice", "wrong-Pa55"))) {
            Throwable cause = assertUnavailable(store);
            assertThat(cause.toString()).contains("WRONGPASS").doesNotContain("wrong-Pa55");
            // the store kept trying in the background: once the server accepts that password, it comes back alone
            redis.call("ACL", "SETUSER", "alice", ">wrong-Pa55");
            assertWorks(store);
        }
        // an unknown user is the same
        try (ModSeqStore store = ModSeqStores.create(
                redis.uriWithoutCredentials(), login(options(TestCertificates.loopback()), "mallory", "right"))) {
            assertThat(assertUnavailable(store).toString()).contains("WRONGPASS");
        }
    }

    @Test
    void serverCertificateFromAnUnknownCaIsRefused() {
        redis = RedisServerFixture.start(
                RedisSecurity.tls(TestCertificates.loopback()).withUser("alice", "pw"));
        // no CA given: the JVM's trust store does not know the test CA
        try (ModSeqStore store = ModSeqStores.create(redis.uri(), options(null))) {
            assertThat(assertUnavailable(store).toString()).containsIgnoringCase("certification path");
        }
        // another private CA: same
        TestCertificates other = TestCertificates.create("ip:127.0.0.1");
        try (ModSeqStore store = ModSeqStores.create(redis.uri(), options(other))) {
            assertThat(assertUnavailable(store).toString()).containsIgnoringCase("certification path");
        }
        // the right CA: works (the same server, so the refusals above were about trust)
        try (ModSeqStore store = ModSeqStores.create(redis.uri(), options(TestCertificates.loopback()))) {
            assertWorks(store);
        }
    }

    @Test
    void hostNameIsCheckedByDefaultAndVerifyPeerCaSkipsOnlyThat() {
        // a certificate from the trusted CA, but for another name than the 127.0.0.1 the URI connects to
        TestCertificates elsewhere = TestCertificates.create("dns:redis.invalid");
        redis = RedisServerFixture.start(RedisSecurity.tls(elsewhere));
        try (ModSeqStore store = ModSeqStores.create(redis.uri(), options(elsewhere))) {
            assertThat(assertUnavailable(store).toString()).contains("127.0.0.1");
        }
        try (ModSeqStore store = ModSeqStores.create(redis.uri() + "?verifyPeer=CA", options(elsewhere))) {
            assertWorks(store);
        }
        // CA mode still checks the chain
        try (ModSeqStore store =
                ModSeqStores.create(redis.uri() + "?verifyPeer=CA", options(TestCertificates.loopback()))) {
            assertThat(assertUnavailable(store).toString()).containsIgnoringCase("certification path");
        }
    }

    @Test
    void mutualTlsWorksWithTheClientCertificateAndFailsWithout() {
        TestCertificates certs = TestCertificates.loopback();
        redis = RedisServerFixture.start(
                RedisSecurity.tls(certs).withClientCertRequired().withUser("alice", "pw"));
        StoreOptions withCert = options(certs)
                .withTls(new StoreOptions.Tls(certs.caFile(), certs.clientCertFile(), certs.clientKeyFile()));
        try (ModSeqStore store = ModSeqStores.create(redis.uri(), withCert)) {
            assertWorks(store);
        }
        try (ModSeqStore store = ModSeqStores.create(redis.uri(), options(certs))) {
            assertUnavailable(store);
        }
    }

    @Test
    void requirePassWithPasswordOnlyInUriOrOptions() {
        redis = RedisServerFixture.start(RedisSecurity.NONE.withRequirePass("only-pw"));
        assertThat(redis.uri()).isEqualTo("redis://:only-pw@127.0.0.1:" + redis.port());
        try (ModSeqStore store = ModSeqStores.create(redis.uri(), options(null))) {
            assertWorks(store);
        }
        try (ModSeqStore store =
                ModSeqStores.create(redis.uriWithoutCredentials(), login(options(null), null, "only-pw"))) {
            assertWorks(store);
        }
        try (ModSeqStore store = ModSeqStores.create(redis.uriWithoutCredentials(), options(null))) {
            assertThat(assertUnavailable(store).toString()).contains("NOAUTH");
        }
    }

    /** Once the circuit is open, calls fail at once, and still say why it opened (for the proxy's log and /ready). */
    @Test
    void anOpenCircuitSaysWhyItOpened() {
        redis = RedisServerFixture.start(RedisSecurity.NONE.withRequirePass("only-pw"));
        try (ModSeqStore store = ModSeqStores.create(redis.uriWithoutCredentials(), options(null))) {
            Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> !store.available());
            assertThatThrownBy(() -> store.load(BOX, 7).toCompletableFuture().get(30, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("circuit open")
                    .hasMessageContaining("NOAUTH");
        }
    }
}

package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.modseqproxy.state.testing.RedisSecurity;
import org.modseqproxy.state.testing.RedisServerFixture;
import org.modseqproxy.state.testing.TestCertificates;

/**
 * The whole store contract against a redis-server that speaks only TLS (certificate from a private CA) and knows no
 * {@code default} user: the store logs in as ACL user {@code alice}, whose rights are the least the store needs
 * (its own keys {@code ms:*}, no dangerous commands but INFO, which the scripts read to notice a failover). Credentials come from {@link StoreOptions#credentials()}, not
 * from the URI; {@link #credentialsInTheUriWorkToo()} covers the other way.
 */
class RedisTlsAclModSeqStoreTest extends ModSeqStoreContract {

    static final String LEAST_PRIVILEGE = "~ms:* resetchannels +@all -@dangerous +info";
    private static RedisServerFixture redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServerFixture.start(
                RedisSecurity.tls(TestCertificates.loopback()).withUser("alice", "s3cret-Pa55", LEAST_PRIVILEGE));
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    static StoreOptions trustTestCa(StoreOptions opts) {
        return opts.withTls(new StoreOptions.Tls(TestCertificates.loopback().caFile(), null, null));
    }

    @Override
    protected StoreOptions options() {
        return trustTestCa(StoreOptions.defaults()
                        .withCommandTimeout(Duration.ofSeconds(2))
                        .withCircuitRetryDelay(Duration.ofMillis(200)))
                .withCredentials(new StoreOptions.Credentials("alice", "s3cret-Pa55"));
    }

    @Override
    protected ModSeqStore newStore(StoreOptions opts) {
        ModSeqStore s = ModSeqStores.create(redis.uriWithoutCredentials(), opts);
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(s::available);
        return s;
    }

    @Override
    protected void loseAllData() {
        redis.flushAll();
    }

    @Override
    protected boolean instancesShareState() {
        return true;
    }

    @Test
    void theServerReallySpeaksOnlyTlsAndKnowsNoDefaultUser() throws Exception {
        assertThat(redis.uriWithoutCredentials()).startsWith("rediss://127.0.0.1:");
        // what the store wrote is there, under alice's key pattern, seen through the admin login
        await(store.sync(box, listing(UV, 3, 1, SEEN, 2, NONE)));
        @SuppressWarnings("unchecked")
        List<Object> keys = (List<Object>) redis.call("KEYS", "ms:{" + box.tag() + "}:*");
        assertThat(keys).isNotEmpty().allMatch(k -> ((String) k).startsWith("ms:{b1:alice:"));
        assertThat((String) redis.call("ACL", "WHOAMI")).isEqualTo(RedisServerFixture.ADMIN_USER);
        @SuppressWarnings("unchecked")
        List<Object> users = (List<Object>) redis.call("ACL", "LIST");
        assertThat(users)
                .anyMatch(u -> ((String) u).startsWith("user default off"))
                .anyMatch(u -> ((String) u).startsWith("user alice on") && ((String) u).contains("~ms:*"));
        // a plaintext client gets nowhere: the port is TLS only
        try (java.net.Socket plain = new java.net.Socket("127.0.0.1", redis.port())) {
            plain.setSoTimeout(5000);
            plain.getOutputStream().write("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            int first = plain.getInputStream().read();
            assertThat(first).isNotEqualTo((int) '+');
        } catch (java.io.IOException reset) {
            // the server closed the connection: just as good
        }
    }

    @Test
    void credentialsInTheUriWorkToo() {
        assertThat(redis.uri()).startsWith("rediss://alice:s3cret-Pa55@127.0.0.1:");
        long before = await(store.highestModSeq(box, UV));
        try (ModSeqStore viaUri = ModSeqStores.create(redis.uri(), trustTestCa(StoreOptions.defaults()))) {
            assertThat(await(viaUri.bump(box, UV))).isEqualTo(before + 1);
        }
        // not both: two places for one secret is a configuration mistake, said at once
        assertThatThrownBy(() -> ModSeqStores.create(redis.uri(), options()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cret");
    }
}

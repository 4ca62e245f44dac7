package org.modseqproxy.state.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.modseqproxy.state.ModSeqStores;
import org.modseqproxy.state.StoreOptions;

class RedisLinkSpecTest {

    @Test
    void clusterSpecsBecomeSeedNodesWithSharedCredentials() {
        List<RedisURI> nodes = RedisLink.clusterNodes("redis-cluster://user:secret@h1:7001, h2:7002?timeout=3s");
        assertThat(nodes).extracting(RedisURI::getHost).containsExactly("h1", "h2");
        assertThat(nodes).extracting(RedisURI::getPort).containsExactly(7001, 7002);
        assertThat(nodes).allSatisfy(u -> {
            RedisCredentials c = u.getCredentialsProvider().resolveCredentials().block();
            assertThat(c.getUsername()).isEqualTo("user");
            assertThat(new String(c.getPassword())).isEqualTo("secret");
            assertThat(u.isSsl()).isFalse();
        });
        assertThat(RedisLink.clusterNodes("rediss-cluster://h1:7001"))
                .singleElement()
                .satisfies(u -> assertThat(u.isSsl()).isTrue());
        assertThat(RedisLink.clusterNodes("redis://a:1,redis://b:2"))
                .extracting(RedisURI::getHost)
                .containsExactly("a", "b");
    }

    @Test
    void standaloneAndSentinelSpecsStayWithRedisClient() {
        assertThat(RedisLink.clusterNodes("redis://h:6379/0")).isNull();
        assertThat(RedisLink.clusterNodes("rediss://h:6380")).isNull();
        assertThat(RedisLink.clusterNodes("redis-sentinel://s1:26379,s2:26379/0#mymaster"))
                .isNull();
    }

    @Test
    void userInfoIsFoundInEveryUriForm() {
        assertThat(ModSeqStores.hasUserInfo("rediss://alice:pw@h:6380/0")).isTrue();
        assertThat(ModSeqStores.hasUserInfo("redis://:pw@h")).isTrue();
        assertThat(ModSeqStores.hasUserInfo("redis-sentinel://pw@s1:26379,s2:26379#m"))
                .isTrue();
        assertThat(ModSeqStores.hasUserInfo("rediss-cluster://u:p@h1:1,h2:2")).isTrue();
        assertThat(ModSeqStores.hasUserInfo("redis://a:1,redis://u:p@b:2")).isTrue();
        assertThat(ModSeqStores.hasUserInfo("rediss://h:6380?verifyPeer=CA")).isFalse();
        assertThat(ModSeqStores.hasUserInfo("redis-sentinel://s1:26379,s2:26379/0#mymaster"))
                .isFalse();
    }

    @Test
    void redactedSpecsNeverShowThePassword() {
        assertThat(ModSeqStores.redacted("rediss://alice:s3cret@h:6380/0?verifyPeer=CA"))
                .isEqualTo("rediss://***@h:6380/0?verifyPeer=CA");
        assertThat(ModSeqStores.redacted("redis://:p@ss/w:rd@h:6379")).isEqualTo("redis://***@h:6379");
        assertThat(ModSeqStores.redacted("rediss-cluster://u:pw@h1:1,h2:2"))
                .isEqualTo("rediss-cluster://***@h1:1,h2:2");
        assertThat(ModSeqStores.redacted("redis://a:1,redis://u:pw@b:2")).isEqualTo("redis://a:1,redis://***@b:2");
        assertThat(ModSeqStores.redacted("redis-sentinel://pw@s1:26379,s2:26379#m"))
                .isEqualTo("redis-sentinel://***@s1:26379,s2:26379#m");
        assertThat(ModSeqStores.redacted("redis://h:6379")).isEqualTo("redis://h:6379");
        assertThat(new StoreOptions.Credentials("alice", "s3cret").toString())
                .contains("alice")
                .doesNotContain("s3cret");
        assertThat(StoreOptions.defaults()
                        .withCredentials(new StoreOptions.Credentials(null, "s3cret"))
                        .toString())
                .doesNotContain("s3cret");
    }
}

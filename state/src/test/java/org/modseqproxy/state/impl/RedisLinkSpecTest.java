package org.modseqproxy.state.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import java.util.List;
import org.junit.jupiter.api.Test;

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
        assertThat(RedisLink.clusterNodes("rediss-cluster://h1:7001")).singleElement()
                .satisfies(u -> assertThat(u.isSsl()).isTrue());
        assertThat(RedisLink.clusterNodes("redis://a:1,redis://b:2")).extracting(RedisURI::getHost)
                .containsExactly("a", "b");
    }

    @Test
    void standaloneAndSentinelSpecsStayWithRedisClient() {
        assertThat(RedisLink.clusterNodes("redis://h:6379/0")).isNull();
        assertThat(RedisLink.clusterNodes("rediss://h:6380")).isNull();
        assertThat(RedisLink.clusterNodes("redis-sentinel://s1:26379,s2:26379/0#mymaster")).isNull();
    }
}

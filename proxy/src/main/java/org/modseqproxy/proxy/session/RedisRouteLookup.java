package org.modseqproxy.proxy.session;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.modseqproxy.proxy.config.ProxyConfig;

/**
 * routing.mode redis: the backend name of a user is {@code HGET routing.redisKey user} in Redis, asked through
 * Lettuce and cached per user with Caffeine for routing.cacheTtl (a user not in the hash too, so a storm of
 * unknown logins costs one lookup each per TTL). A failed lookup is not cached.
 */
final class RedisRouteLookup implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final AsyncLoadingCache<String, Optional<String>> cache;

    RedisRouteLookup(ProxyConfig.RedisRoutes config) {
        RedisURI uri = RedisURI.create(config.uri());
        if (!config.login().isNone()) {
            if (config.login().username() != null) {
                uri.setAuthentication(config.login().username(), config.login().password()); // Redis 6+ ACL
            } else {
                uri.setAuthentication(config.login().password()); // requirepass
            }
        }
        this.client = RedisClient.create(uri);
        this.connection = client.connect(); // at start, off the event loops; Lettuce reconnects by itself
        String key = config.key();
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(config.cacheTtl())
                .maximumSize(1_000_000)
                .executor(Runnable::run)
                .buildAsync((user, executor) ->
                        connection.async().hget(key, user).toCompletableFuture().thenApply(Optional::ofNullable));
    }

    /** The backend name, empty when the hash has none for this user; completes on a Lettuce thread. */
    CompletableFuture<Optional<String>> lookup(String user) {
        return cache.get(user);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}

package org.modseqproxy.state.impl;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.modseqproxy.state.ModSeqStores;
import org.modseqproxy.state.StoreOptions;

/**
 * The Lettuce side of the Redis store: one client (standalone, Sentinel or Cluster), one lazily (re)opened
 * connection, and script calls (EVALSHA, falling back to EVAL when the server does not know the script, e.g.
 * after a restart). Lettuce futures are turned into CompletableFutures here and nowhere else.
 *
 * <p>Fail fast: commands time out after {@link StoreOptions#commandTimeout()}, and while the connection is down
 * Lettuce rejects commands at once instead of queueing them (it keeps reconnecting in the background).
 */
final class RedisLink implements AutoCloseable {

    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final Supplier<CompletableFuture<? extends StatefulConnection<String, String>>> connector;
    private CompletableFuture<StatefulConnection<String, String>> connection; // guarded by this

    private RedisLink(
            ClientResources resources,
            AbstractRedisClient client,
            Supplier<CompletableFuture<? extends StatefulConnection<String, String>>> connector) {
        this.resources = resources;
        this.client = client;
        this.connector = connector;
    }

    /**
     * Spec forms: {@code redis://}, {@code rediss://}, {@code redis-sentinel://} (one RedisClient);
     * {@code redis-cluster://[user:pass@]h1:p1,h2:p2} / {@code rediss-cluster://...} or a comma-separated list of
     * {@code redis://} URIs (a RedisClusterClient seeded with those nodes).
     *
     * <p>TLS and login are Lettuce's own: {@code rediss} URIs (with {@code ?verifyPeer=FULL|CA|NONE}, FULL by
     * default), {@link StoreOptions#tls()} as its SslOptions, and {@link StoreOptions#credentials()} or the URI's
     * userinfo as AUTH/HELLO credentials. Cluster nodes found through the topology inherit all of it from the seeds.
     * Sentinel: the sentinels get the same TLS settings and {@link StoreOptions#sentinelCredentials()}; the data
     * nodes the sentinels name get the URI's TLS settings and {@link StoreOptions#credentials()}.
     */
    static RedisLink open(String spec, StoreOptions opts) {
        if (!opts.credentials().isNone() && ModSeqStores.hasUserInfo(spec)) {
            // two sources for one secret: refuse rather than guess which one wins
            throw new IllegalArgumentException("Redis credentials given both in the store URI and in the options");
        }
        if (!opts.sentinelCredentials().isNone() && !isSentinel(spec)) {
            throw new IllegalArgumentException("sentinel credentials given, but the store URI is not a Sentinel one");
        }
        ClientResources resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), maxDelay(opts), 2, TimeUnit.MILLISECONDS))
                .build();
        SocketOptions socket =
                SocketOptions.builder().connectTimeout(opts.commandTimeout()).build();
        TimeoutOptions timeouts = TimeoutOptions.builder()
                .timeoutCommands(true)
                .timeoutSource(new ScaledTimeout(opts.commandTimeout().toMillis()))
                .build();
        SslOptions ssl = sslOptions(opts);
        List<RedisURI> clusterNodes = clusterNodes(spec);
        if (clusterNodes == null) {
            RedisURI uri = RedisURI.create(spec);
            uri.setTimeout(opts.commandTimeout());
            // Sentinel: Lettuce asks the sentinels (in URI order) for the master's address on every (re)connect, so a
            // failover is followed by the ordinary reconnect, with no routing of ours. Each sentinel's own URI keeps
            // RedisURI's 60 s default for the connection handshake, though: one hung sentinel (accepting but not
            // answering) would hold every reconnect, and so the whole failover, for a minute before the next one is
            // asked. Give them the command timeout too.
            uri.getSentinels().forEach(s -> s.setTimeout(opts.commandTimeout()));
            applyCredentials(uri, opts.credentials());
            // A Sentinel URI's login is the data nodes' only (RedisURI javadoc, "Authentication"); Lettuce logs in to a
            // sentinel with that sentinel's own RedisURI, which the URI string cannot fill. TLS needs nothing here:
            // rediss-sentinel marks every sentinel URI as TLS (with the URI's verifyPeer), and they share the client's
            // SslOptions.
            uri.getSentinels().forEach(s -> applyCredentials(s, opts.sentinelCredentials()));
            RedisClient client = RedisClient.create(resources);
            client.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(socket)
                    .timeoutOptions(timeouts)
                    .sslOptions(ssl)
                    .build());
            return new RedisLink(
                    resources,
                    client,
                    () -> client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture());
        }
        clusterNodes.forEach(u -> {
            u.setTimeout(opts.commandTimeout());
            applyCredentials(u, opts.credentials());
        });
        RedisClusterClient client = RedisClusterClient.create(resources, clusterNodes);
        client.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                // Per-node connections open lazily, so REJECT_COMMANDS would reject the first command sent to each
                // node; commands queue instead and the command timeout keeps failures fast.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .socketOptions(socket)
                .timeoutOptions(timeouts)
                .sslOptions(ssl)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enableAllAdaptiveRefreshTriggers()
                        .enablePeriodicRefresh(Duration.ofMinutes(1))
                        .build())
                .build());
        // connectAsync needs the slot map first (the blocking connect() would load it itself).
        return new RedisLink(
                resources,
                client,
                () -> client.refreshPartitionsAsync()
                        .toCompletableFuture()
                        .thenCompose(v -> client.connectAsync(StringCodec.UTF8)));
    }

    /**
     * Used by {@code rediss} URIs only. Without a CA file the JVM's trust store decides; the handshake gets the same
     * bound as a command, so a server that never finishes it costs one timeout, not Lettuce's default 10 s.
     */
    static SslOptions sslOptions(StoreOptions opts) {
        StoreOptions.Tls tls = opts.tls();
        SslOptions.Builder b = SslOptions.builder().jdkSslProvider().handshakeTimeout(opts.commandTimeout());
        if (tls.caFile() != null) {
            b.trustManager(tls.caFile().toFile());
        }
        if (tls.certFile() != null) {
            b.keyManager(tls.certFile().toFile(), tls.keyFile().toFile(), null); // unencrypted PKCS#8 key
        }
        return b.build();
    }

    private static void applyCredentials(RedisURI uri, StoreOptions.Credentials c) {
        if (c.isNone()) {
            return;
        }
        if (c.username() != null) {
            uri.setAuthentication(c.username(), c.password()); // Redis 6+ ACL: HELLO/AUTH user pass
        } else {
            uri.setAuthentication(c.password()); // requirepass: AUTH pass
        }
    }

    /**
     * Small commands fail after the configured timeout. A script call's cost grows with the mailbox: a batch gets
     * 1 ms more per 100 arguments (a 100 000-message first sync: +2 s), the whole-mailbox LOAD five times the
     * timeout. A dead Redis is still noticed at once (commands are rejected while disconnected).
     */
    static final class ScaledTimeout extends TimeoutOptions.TimeoutSource {
        private final long baseMillis;

        ScaledTimeout(long baseMillis) {
            this.baseMillis = baseMillis;
        }

        @Override
        public long getTimeout(RedisCommand<?, ?, ?> command) {
            if (command.getType() != CommandType.EVALSHA && command.getType() != CommandType.EVAL) {
                return baseMillis;
            }
            CommandArgs<?, ?> args = command.getArgs();
            if (args == null) {
                return baseMillis;
            }
            String first = args.getFirstString();
            if (RedisScript.LOAD.sha.equals(first) || RedisScript.LOAD.source.equals(first)) {
                return 5 * baseMillis;
            }
            return baseMillis + args.count() / 100;
        }

        @Override
        public TimeUnit getTimeUnit() {
            return TimeUnit.MILLISECONDS;
        }
    }

    private static Duration maxDelay(StoreOptions opts) {
        Duration d = opts.circuitRetryDelay();
        return d.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : d;
    }

    /** Cluster seed nodes for a cluster spec, or null for a standalone/Sentinel spec. */
    static List<RedisURI> clusterNodes(String spec) {
        String scheme = null;
        if (spec.startsWith("redis-cluster://")) {
            scheme = "redis://";
        } else if (spec.startsWith("rediss-cluster://")) {
            scheme = "rediss://";
        }
        List<RedisURI> nodes = new ArrayList<>();
        if (scheme != null) {
            String rest = spec.substring(spec.indexOf("://") + 3);
            int at = rest.lastIndexOf('@');
            String userInfo = at >= 0 ? rest.substring(0, at + 1) : "";
            String hostsAndTail = rest.substring(at + 1);
            int tailAt = indexOfAny(hostsAndTail, '/', '?');
            String hosts = tailAt >= 0 ? hostsAndTail.substring(0, tailAt) : hostsAndTail;
            String tail = tailAt >= 0 ? hostsAndTail.substring(tailAt) : "";
            for (String host : hosts.split(",")) {
                nodes.add(RedisURI.create(scheme + userInfo + host.strip() + tail));
            }
            return nodes;
        }
        // Sentinel URIs use commas for their sentinel list: those stay with RedisClient.
        if (isSentinel(spec) || !spec.contains(",")) {
            return null;
        }
        for (String one : spec.split(",")) {
            nodes.add(RedisURI.create(one.strip()));
        }
        return nodes;
    }

    private static boolean isSentinel(String spec) {
        return spec.startsWith("redis-sentinel") || spec.startsWith("rediss-sentinel");
    }

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == a || s.charAt(i) == b) {
                return i;
            }
        }
        return -1;
    }

    ClientResources resources() {
        return resources;
    }

    /** The connection, opening it if there is none or the last attempt failed. */
    private synchronized CompletableFuture<StatefulConnection<String, String>> connection() {
        CompletableFuture<StatefulConnection<String, String>> c = connection;
        if (c == null || c.isCompletedExceptionally()) {
            c = connector.get().thenApply(x -> (StatefulConnection<String, String>) x);
            connection = c;
        }
        return c;
    }

    @SuppressWarnings("unchecked")
    private CompletableFuture<RedisClusterAsyncCommands<String, String>> commands() {
        // Both StatefulRedisConnection.async() and StatefulRedisClusterConnection.async() are
        // RedisClusterAsyncCommands, which is all the store needs (scripts and PING).
        return connection()
                .thenApply(c -> c instanceof StatefulRedisConnection<?, ?> s
                        ? (RedisClusterAsyncCommands<String, String>) s.async()
                        : ((StatefulRedisClusterConnection<String, String>) c).async());
    }

    /** Runs a script on the node owning {@code keys[0]}'s slot (all keys share one hash tag). */
    <T> CompletableFuture<T> eval(RedisScript script, ScriptOutputType type, String[] keys, String... args) {
        return commands()
                .thenCompose(cmd -> cmd.<T>evalsha(script.sha, type, keys, args)
                        .toCompletableFuture()
                        .exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
                                ? cmd.<T>eval(script.source, type, keys, args).toCompletableFuture()
                                : CompletableFuture.failedFuture(unwrap(e))));
    }

    CompletableFuture<String> ping() {
        return commands().thenCompose(cmd -> cmd.ping().toCompletableFuture());
    }

    static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    @Override
    public void close() {
        CompletableFuture<StatefulConnection<String, String>> c;
        synchronized (this) {
            c = connection;
            connection = null;
        }
        if (c != null) {
            c.thenAccept(StatefulConnection::close);
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}

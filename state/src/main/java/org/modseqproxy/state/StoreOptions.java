package org.modseqproxy.state;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Store settings.
 *
 * @param expungeLogMaxEntries  expunge-log entries kept per mailbox (one entry per batch that expunged something);
 *                              older ones are dropped and the horizon rises (RFC 7162 5.3). Default 10 000.
 * @param idleMailboxTtl        Redis keys of a mailbox expire after this long without use; {@link Duration#ZERO}
 *                              keeps them forever. Default 30 days. The memory store drops idle mailboxes likewise.
 * @param commandTimeout        Redis command (and connect, and TLS handshake) timeout: calls fail fast after it.
 *                              Default 1 s.
 * @param circuitRetryDelay     after a failure the circuit stays open this long before one trial call. Default 2 s.
 * @param nearCacheMaxMessages  messages, summed over cached mailboxes, that the Redis store's near-cache may hold
 *                              (about 30 bytes each); 0 disables it. Default 2 000 000.
 * @param keyPrefix             Redis key prefix: keys look like {@code <prefix>:{<tag>}:m}. Default "ms".
 * @param tls                   trust and client certificate for {@code rediss://} URIs. Default: JVM trust, no
 *                              client certificate.
 * @param credentials           Redis login given outside the URI (so that secrets need not be in it). Default none.
 *                              With Sentinel, the data nodes' login.
 * @param sentinelCredentials   the sentinels' own login ({@code requirepass} or an ACL user on the sentinels), for
 *                              {@code redis[s]-sentinel://} URIs only. Default none: sentinels open to any client.
 */
public record StoreOptions(
        int expungeLogMaxEntries,
        Duration idleMailboxTtl,
        Duration commandTimeout,
        Duration circuitRetryDelay,
        int nearCacheMaxMessages,
        String keyPrefix,
        Tls tls,
        Credentials credentials,
        Credentials sentinelCredentials) {

    public StoreOptions {
        if (expungeLogMaxEntries < 1) {
            throw new IllegalArgumentException("expungeLogMaxEntries must be >= 1");
        }
        if (idleMailboxTtl.isNegative()
                || commandTimeout.isNegative()
                || commandTimeout.isZero()
                || circuitRetryDelay.isNegative()
                || nearCacheMaxMessages < 0) {
            throw new IllegalArgumentException("bad store options");
        }
        if (keyPrefix.isEmpty() || keyPrefix.contains("{") || keyPrefix.contains("}")) {
            throw new IllegalArgumentException("keyPrefix must be non-empty and brace-free");
        }
        if (tls == null || credentials == null || sentinelCredentials == null) {
            throw new IllegalArgumentException(
                    "tls and credentials must not be null (use Tls.DEFAULT, Credentials.NONE)");
        }
    }

    /**
     * TLS material for Redis, PEM files. The server certificate is verified against {@code caFile} (the JVM's trust
     * store when null); host name checking follows the URI's {@code verifyPeer} (Lettuce: FULL by default = chain
     * and host name, CA = chain only, NONE = nothing). {@code certFile}+{@code keyFile} (PKCS#8 key) is the client
     * certificate for servers that require one ({@code tls-auth-clients yes}).
     */
    public record Tls(Path caFile, Path certFile, Path keyFile) {
        public static final Tls DEFAULT = new Tls(null, null, null);

        public Tls {
            if ((certFile == null) != (keyFile == null)) {
                throw new IllegalArgumentException("a client certificate needs both certFile and keyFile");
            }
        }

        public boolean isDefault() {
            return equals(DEFAULT);
        }
    }

    /**
     * A Redis login: an ACL user and password (Redis 6+ AUTH user pass), or only a password (requirepass, the
     * {@code default} user). toString never shows the password.
     */
    public record Credentials(String username, String password) {
        public static final Credentials NONE = new Credentials(null, null);

        public Credentials {
            if (username != null && password == null) {
                throw new IllegalArgumentException("a Redis username needs a password");
            }
        }

        public boolean isNone() {
            return password == null;
        }

        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=" + (password == null ? "none" : "***") + "]";
        }
    }

    public static StoreOptions defaults() {
        return new StoreOptions(
                10_000,
                Duration.ofDays(30),
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                2_000_000,
                "ms",
                Tls.DEFAULT,
                Credentials.NONE,
                Credentials.NONE);
    }

    public StoreOptions withExpungeLogMaxEntries(int n) {
        return with(c -> c.expungeLogMaxEntries = n);
    }

    public StoreOptions withIdleMailboxTtl(Duration d) {
        return with(c -> c.idleMailboxTtl = d);
    }

    public StoreOptions withCommandTimeout(Duration d) {
        return with(c -> c.commandTimeout = d);
    }

    public StoreOptions withCircuitRetryDelay(Duration d) {
        return with(c -> c.circuitRetryDelay = d);
    }

    public StoreOptions withNearCacheMaxMailboxes(int n) {
        return with(c -> c.nearCacheMaxMessages = n);
    }

    public StoreOptions withKeyPrefix(String p) {
        return with(c -> c.keyPrefix = p);
    }

    public StoreOptions withTls(Tls t) {
        return with(c -> c.tls = t);
    }

    public StoreOptions withCredentials(Credentials cr) {
        return with(c -> c.credentials = cr);
    }

    public StoreOptions withSentinelCredentials(Credentials cr) {
        return with(c -> c.sentinelCredentials = cr);
    }

    /** A copy with one setting changed, checked by the canonical constructor like any other. */
    private StoreOptions with(Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return new StoreOptions(
                c.expungeLogMaxEntries,
                c.idleMailboxTtl,
                c.commandTimeout,
                c.circuitRetryDelay,
                c.nearCacheMaxMessages,
                c.keyPrefix,
                c.tls,
                c.credentials,
                c.sentinelCredentials);
    }

    /** The settings of one {@link #with} call while it is being changed. */
    private static final class Copy {
        int expungeLogMaxEntries;
        Duration idleMailboxTtl;
        Duration commandTimeout;
        Duration circuitRetryDelay;
        int nearCacheMaxMessages;
        String keyPrefix;
        Tls tls;
        Credentials credentials;
        Credentials sentinelCredentials;

        Copy(StoreOptions o) {
            expungeLogMaxEntries = o.expungeLogMaxEntries;
            idleMailboxTtl = o.idleMailboxTtl;
            commandTimeout = o.commandTimeout;
            circuitRetryDelay = o.circuitRetryDelay;
            nearCacheMaxMessages = o.nearCacheMaxMessages;
            keyPrefix = o.keyPrefix;
            tls = o.tls;
            credentials = o.credentials;
            sentinelCredentials = o.sentinelCredentials;
        }
    }
}

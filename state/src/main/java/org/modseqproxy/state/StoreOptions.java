package org.modseqproxy.state;

import java.time.Duration;

/**
 * Store settings.
 *
 * @param expungeLogMaxEntries  expunge-log entries kept per mailbox (one entry per batch that expunged something);
 *                              older ones are dropped and the horizon rises (RFC 7162 5.3). Default 10 000.
 * @param idleMailboxTtl        Redis keys of a mailbox expire after this long without use; {@link Duration#ZERO}
 *                              keeps them forever. Default 30 days. The memory store drops idle mailboxes likewise.
 * @param commandTimeout        Redis command (and connect) timeout: calls fail fast after it. Default 1 s.
 * @param circuitRetryDelay     after a failure the circuit stays open this long before one trial call. Default 2 s.
 * @param nearCacheMaxMessages  messages, summed over cached mailboxes, that the Redis store's near-cache may hold
 *                              (about 30 bytes each); 0 disables it. Default 2 000 000.
 * @param keyPrefix             Redis key prefix: keys look like {@code <prefix>:{<tag>}:m}. Default "ms".
 */
public record StoreOptions(int expungeLogMaxEntries, Duration idleMailboxTtl, Duration commandTimeout,
                           Duration circuitRetryDelay, int nearCacheMaxMessages, String keyPrefix) {

    public StoreOptions {
        if (expungeLogMaxEntries < 1) {
            throw new IllegalArgumentException("expungeLogMaxEntries must be >= 1");
        }
        if (idleMailboxTtl.isNegative() || commandTimeout.isNegative() || commandTimeout.isZero()
                || circuitRetryDelay.isNegative() || nearCacheMaxMessages < 0) {
            throw new IllegalArgumentException("bad store options");
        }
        if (keyPrefix.isEmpty() || keyPrefix.contains("{") || keyPrefix.contains("}")) {
            throw new IllegalArgumentException("keyPrefix must be non-empty and brace-free");
        }
    }

    public static StoreOptions defaults() {
        return new StoreOptions(10_000, Duration.ofDays(30), Duration.ofSeconds(1), Duration.ofSeconds(2), 2_000_000, "ms");
    }

    public StoreOptions withExpungeLogMaxEntries(int n) {
        return new StoreOptions(n, idleMailboxTtl, commandTimeout, circuitRetryDelay, nearCacheMaxMessages, keyPrefix);
    }

    public StoreOptions withIdleMailboxTtl(Duration d) {
        return new StoreOptions(expungeLogMaxEntries, d, commandTimeout, circuitRetryDelay, nearCacheMaxMessages, keyPrefix);
    }

    public StoreOptions withCommandTimeout(Duration d) {
        return new StoreOptions(expungeLogMaxEntries, idleMailboxTtl, d, circuitRetryDelay, nearCacheMaxMessages, keyPrefix);
    }

    public StoreOptions withCircuitRetryDelay(Duration d) {
        return new StoreOptions(expungeLogMaxEntries, idleMailboxTtl, commandTimeout, d, nearCacheMaxMessages, keyPrefix);
    }

    public StoreOptions withNearCacheMaxMailboxes(int n) {
        return new StoreOptions(expungeLogMaxEntries, idleMailboxTtl, commandTimeout, circuitRetryDelay, n, keyPrefix);
    }

    public StoreOptions withKeyPrefix(String p) {
        return new StoreOptions(expungeLogMaxEntries, idleMailboxTtl, commandTimeout, circuitRetryDelay, nearCacheMaxMessages, p);
    }
}

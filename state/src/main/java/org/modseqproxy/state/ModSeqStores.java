package org.modseqproxy.state;

import java.util.regex.Pattern;
import org.modseqproxy.state.impl.DisabledModSeqStore;
import org.modseqproxy.state.impl.InMemoryModSeqStore;
import org.modseqproxy.state.impl.RedisModSeqStore;

/**
 * Builds a store from a spec string:
 * <ul>
 *   <li>{@code memory}: {@link InMemoryModSeqStore}, state lives as long as the process (one instance only);</li>
 *   <li>{@code off}: a disabled store whose {@link ModSeqStore#available()} is always false and whose calls fail
 *       with {@link StoreUnavailableException}, so the proxy answers NOMODSEQ everywhere (never null);</li>
 *   <li>{@code redis://...}, {@code rediss://...}, {@code redis-sentinel://...}: one Redis (or a Sentinel-managed
 *       master), Lettuce URI syntax;</li>
 *   <li>Redis Cluster: {@code redis-cluster://[user:pass@]h1:p1,h2:p2} ({@code rediss-cluster://} for TLS), or a
 *       comma-separated list of {@code redis://} URIs (seed nodes).</li>
 * </ul>
 *
 * <p>For Redis, {@link StoreOptions#tls()} (private CA, client certificate) and {@link StoreOptions#credentials()}
 * (ACL user or requirepass, instead of {@code user:pass@} in the URI) complete the spec; for Sentinel,
 * {@link StoreOptions#sentinelCredentials()} is the sentinels' own login.
 */
public final class ModSeqStores {

    private static final Pattern USER_INFO = Pattern.compile("(://)[^,]*@");

    private ModSeqStores() {}

    public static ModSeqStore create(String spec, StoreOptions opts) {
        String s = spec.strip();
        if (s.equalsIgnoreCase("memory")) {
            return new InMemoryModSeqStore(opts);
        }
        if (s.equalsIgnoreCase("off")) {
            return new DisabledModSeqStore();
        }
        if (s.startsWith("redis") || s.startsWith("rediss")) {
            return RedisModSeqStore.create(s, opts);
        }
        throw new IllegalArgumentException(
                "unknown state store spec (memory, off, redis://..., redis-cluster://...): " + redacted(spec));
    }

    /** True when a URI of the spec carries {@code user:pass@} or {@code pass@} (what {@link #redacted} masks). */
    public static boolean hasUserInfo(String spec) {
        return USER_INFO.matcher(spec).find();
    }

    /**
     * The spec with any {@code user:password@} replaced by {@code ***@}: safe to log or show on /health.
     * {@code rediss://alice:secret@h:6380} becomes {@code rediss://***@h:6380}.
     */
    public static String redacted(String spec) {
        // Up to the last '@' of each comma-separated URI: a password may itself hold '@', ':' or '/'. Masking a little
        // too much (a query value with '@') is better than showing a little of a secret.
        return USER_INFO.matcher(spec).replaceAll("$1***@");
    }

    /** True for the store made by spec "off". */
    public static boolean isOff(ModSeqStore store) {
        return store instanceof DisabledModSeqStore;
    }
}

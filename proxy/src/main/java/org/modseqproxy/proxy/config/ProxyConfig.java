package org.modseqproxy.proxy.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.modseqproxy.state.StoreOptions;

/**
 * The whole configuration, validated. Built by {@link ConfigLoader} from defaults, the YAML file, environment
 * variables and command-line flags (in that order of precedence, last wins). deploy/config/modseq-proxy.sample.yaml
 * documents every key.
 */
public record ProxyConfig(
        Listen listen,
        Tls tls,
        Backend backend,
        List<Backend> backends,
        Routing routing,
        State state,
        Limits limits,
        Id id,
        Auth auth,
        Compress compress,
        Metrics metrics,
        Log log,
        Trace trace,
        Shutdown shutdown) {

    /** The same configuration with other limits (SIGHUP applies limits.* without a restart). */
    public ProxyConfig withLimits(Limits l) {
        return new ProxyConfig(
                listen, tls, backend, backends, routing, state, l, id, auth, compress, metrics, log, trace, shutdown);
    }

    /** plain: IMAP + STARTTLS; tls: implicit TLS (RFC 8314). Either may be null (disabled). */
    public record Listen(HostPort plain, HostPort tls, ProxyProtocol proxyProtocol) {}

    /**
     * The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2) a load balancer sends before any
     * IMAP byte, on both listeners (before TLS on the implicit-TLS one). When required, a connection without a valid
     * header, or from a peer outside {@code trusted}, is closed before the greeting; the declared client address is
     * then the client's address everywhere (logs, ID forwarding, per-address limits, the admin endpoint).
     */
    public record ProxyProtocol(boolean required, TrustedNetworks trusted, Duration timeout) {}

    /**
     * cert/key PEM files; null cert means "no TLS offered" unless the launcher generates one (demo).
     *
     * @param more                more pairs, chosen by SNI (RFC 6066 3); cert/key stays the default
     * @param reloadCheckInterval how often the files are checked for a change (0: only on SIGHUP)
     */
    public record Tls(
            String cert, String key, boolean loginRequiresTls, List<CertKey> more, Duration reloadCheckInterval) {
        /** Every pair, the default first; empty when no certificate is configured. */
        public List<CertKey> pairs() {
            List<CertKey> all = new ArrayList<>();
            if (cert != null) {
                all.add(new CertKey(cert, key));
            }
            all.addAll(more);
            return List.copyOf(all);
        }

        public Tls withDefault(String certPath, String keyPath) {
            return new Tls(certPath, keyPath, loginRequiresTls, more, reloadCheckInterval);
        }
    }

    /** One certificate chain (PEM, leaf first) and its private key (PEM). */
    public record CertKey(String cert, String key) {}

    public enum BackendTls {
        NONE,
        STARTTLS,
        IMPLICIT
    }

    public record Backend(
            String id,
            HostPort address,
            BackendTls tls,
            boolean verify,
            String caFile,
            Duration connectTimeout,
            Duration responseTimeout,
            Consistency stateMode) {}

    public enum RoutingMode {
        STATIC,
        FILE,
        REDIS
    }

    /**
     * Which backend a login goes to (by the authentication identity).
     *
     * @param file                lines {@code user backend-name}; reloaded when it changes and on SIGHUP
     * @param defaultBackend      for users not in the file; null refuses them like a wrong password
     * @param reloadCheckInterval how often the file is checked for a change
     */
    public record Routing(
            RoutingMode mode, String file, String defaultBackend, Duration reloadCheckInterval, RedisRoutes redis) {}

    /**
     * routing.mode redis: {@code HGET key user} answers the backend name, cached per user for {@code cacheTtl}
     * (answers "not in the hash" included).
     *
     * @param uri   Redis URI as Lettuce spells it (redis://, rediss://, redis-sentinel://); defaults to state.store
     * @param login user/password given outside the URI (state.username/password when the URI is state.store's)
     */
    public record RedisRoutes(String uri, String key, Duration cacheTtl, StoreOptions.Credentials login) {
        @Override
        public String toString() {
            return "RedisRoutes[key=" + key + ", cacheTtl=" + cacheTtl + "]";
        }
    }

    public enum Consistency {
        SHARED,
        EXCLUSIVE
    }

    /**
     * store: "memory", "off", or a Redis URI as Lettuce spells it. redisLogin: user/password given outside the URI
     * (its toString hides the password); sentinelLogin: the sentinels' own login (Sentinel URIs only);
     * redisTls: CA and client certificate for rediss:// URIs. listingReuse: in shared mode, how long after a full
     * listing of a mailbox (by any instance sharing the store) the next SELECTs of it ask the backend only for
     * deliveries (0: never).
     */
    public record State(
            String store,
            Consistency mode,
            List<String> offMailboxes,
            int expungeLogMaxEntries,
            Duration idleMailboxTtl,
            Duration timeout,
            StoreOptions.Credentials redisLogin,
            StoreOptions.Credentials sentinelLogin,
            StoreOptions.Tls redisTls,
            Duration listingReuse) {

        /** The store's options, as the launcher (and the test fixture) build the store from this configuration. */
        public StoreOptions storeOptions() {
            return StoreOptions.defaults()
                    .withExpungeLogMaxEntries(expungeLogMaxEntries)
                    .withIdleMailboxTtl(idleMailboxTtl)
                    .withCommandTimeout(timeout)
                    .withCredentials(redisLogin)
                    .withSentinelCredentials(sentinelLogin)
                    .withTls(redisTls);
        }
    }

    /**
     * @param loginTimeout        a connection must have logged in by then (RFC 9051 5.4 allows the server's choice)
     * @param loginFailureDelay   wait before answering a failed LOGIN/AUTHENTICATE (slows password guessing)
     * @param maxLoginFailures    failed logins on one connection before it is closed
     * @param maxConnectionsPerIp client connections from one address per instance; 0 = no limit (behind a load
     *                            balancer without PROXY protocol every client has the balancer's address)
     * @param maxPreLoginSessions connections not logged in yet; a pool of their own, so that sockets that never log in
     *                            cannot take the places of {@code maxSessions} (which counts logged-in sessions)
     */
    public record Limits(
            int maxLineLength,
            long maxLiteralSize,
            int maxSessions,
            Duration idleTimeout,
            Duration loginTimeout,
            Duration loginFailureDelay,
            int maxLoginFailures,
            int maxConnectionsPerIp,
            int maxPreLoginSessions) {}

    public record Id(boolean forwardClientAddress) {}

    /**
     * @param relay SASL mechanisms relayed to the backend as they are (RFC 9051 6.2.2), offered when the backend offers
     *              them; PLAIN is always offered (the proxy logs in with it itself)
     */
    public record Auth(List<String> relay) {
        /** Mechanisms that can be relayed verbatim (RFC 9051 6.2.2); PLAIN the proxy handles itself (it logs in). */
        public static final List<String> RELAYABLE = List.of("LOGIN", "XOAUTH2", "OAUTHBEARER");
    }

    /**
     * COMPRESS=DEFLATE toward clients (RFC 4978), offered after login whatever the backend has.
     *
     * @param deflate offer it
     * @param level   zlib level 0-9 for what the proxy sends; 1 is cheap and RFC 4978 section 4 finds 25-40% there
     */
    public record Compress(boolean deflate, int level) {}

    /**
     * @param instanceId the {@code instance_id} label on every series (default: the host name)
     * @param adminToken bearer token of the admin endpoint on {@code listen}; null = no admin endpoint
     */
    public record Metrics(HostPort listen, String instanceId, String adminToken) {
        @Override
        public String toString() {
            return "Metrics[listen=" + listen + ", instanceId=" + instanceId + ", adminToken="
                    + (adminToken == null ? "none" : "***") + "]";
        }
    }

    public enum LogFormat {
        TEXT,
        JSON
    }

    public record Log(LogFormat format) {}

    /**
     * Per-user protocol trace (like Dovecot's rawlog): what the client and the proxy said, one file per session.
     *
     * @param users               traced from their login on; the admin endpoint adds and removes users at runtime
     * @param dir                 one sub-directory per user
     * @param maxBytesPerSession  the file stops there (a last line says so)
     * @param maskLiteralsAbove   literal bodies larger than this are written as their size only
     */
    public record Trace(List<String> users, String dir, long maxBytesPerSession, long maskLiteralsAbove) {}

    public record Shutdown(Duration gracePeriod) {}
}

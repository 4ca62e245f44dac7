package org.modseqproxy.proxy.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every configuration key with its default; "" means unset. Order is the order of the sample file. */
final class Defaults {
    private Defaults() {}

    private static final Map<String, Object> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("listen.plain", "127.0.0.1:1143");
        KEYS.put("listen.tls", "");
        KEYS.put("listen.proxyProtocol", "off");
        KEYS.put("listen.proxyProtocolTrusted", List.of());
        KEYS.put("listen.proxyProtocolTimeout", "10s");
        KEYS.put("tls.cert", "");
        KEYS.put("tls.key", "");
        KEYS.put("tls.loginRequiresTls", false);
        KEYS.put("tls.certificates", List.of());
        KEYS.put("tls.reloadCheckInterval", "60s");
        KEYS.put("backend.id", "b1");
        KEYS.put("backend.address", "");
        KEYS.put("backend.tls", "none");
        KEYS.put("backend.verify", true);
        KEYS.put("backend.caFile", "");
        KEYS.put("backend.connectTimeout", "5s");
        KEYS.put("backend.responseTimeout", "60s");
        KEYS.put("backends", List.of());
        KEYS.put("routing.mode", "static");
        KEYS.put("routing.file", "");
        KEYS.put("routing.default", "");
        KEYS.put("routing.reloadCheckInterval", "10s");
        KEYS.put("routing.redis", "");
        KEYS.put("routing.redisKey", "modseq:routes");
        KEYS.put("routing.cacheTtl", "60s");
        KEYS.put("state.store", "memory");
        KEYS.put("state.mode", "shared");
        KEYS.put("state.offMailboxes", List.of());
        KEYS.put("state.listingReuse", "0s");
        KEYS.put("state.expungeLogMaxEntries", 10000);
        KEYS.put("state.idleMailboxTtl", "30d");
        KEYS.put("state.timeout", "2s");
        KEYS.put("state.username", "");
        KEYS.put("state.password", "");
        KEYS.put("state.passwordFile", "");
        KEYS.put("state.sentinel.username", "");
        KEYS.put("state.sentinel.password", "");
        KEYS.put("state.sentinel.passwordFile", "");
        KEYS.put("state.tls.caFile", "");
        KEYS.put("state.tls.certFile", "");
        KEYS.put("state.tls.keyFile", "");
        KEYS.put(
                "limits.maxLineLength",
                65536); // no stricter than Dovecot and Courier; RFC 7162 section 4 asks for at least 8192
        KEYS.put("limits.maxLiteralSize", "100MiB");
        KEYS.put("limits.maxSessions", 10000);
        KEYS.put("limits.idleTimeout", "30m");
        KEYS.put("limits.loginTimeout", "60s");
        KEYS.put("limits.loginFailureDelay", "2s");
        KEYS.put("limits.maxLoginFailures", 3);
        KEYS.put("limits.maxConnectionsPerIp", 0);
        KEYS.put("limits.maxPreLoginSessions", 1000);
        KEYS.put("id.forwardClientAddress", false);
        KEYS.put("auth.relay", List.of("LOGIN", "XOAUTH2", "OAUTHBEARER"));
        KEYS.put("compress.deflate", true);
        KEYS.put("compress.level", 1);
        KEYS.put("metrics.listen", "");
        KEYS.put("metrics.instanceId", "");
        KEYS.put("metrics.adminToken", "");
        KEYS.put("metrics.adminTokenFile", "");
        KEYS.put("log.format", "text");
        KEYS.put("trace.users", List.of());
        KEYS.put("trace.dir", "");
        KEYS.put("trace.maxBytesPerSession", "10MiB");
        KEYS.put("trace.maskLiteralsAbove", "1KiB");
        KEYS.put("shutdown.gracePeriod", "20s");
    }

    /** A fresh, mutable copy in sample-file order. */
    static Map<String, Object> copy() {
        return new LinkedHashMap<>(KEYS);
    }

    static boolean known(String key) {
        return KEYS.containsKey(key);
    }

    static List<String> keys() {
        return List.copyOf(KEYS.keySet());
    }
}

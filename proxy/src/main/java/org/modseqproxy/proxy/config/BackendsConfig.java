package org.modseqproxy.proxy.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * backends: more stores besides backend.*, each a map with the keys of backend.* (name instead of id), and
 * routing.*: which store a user's login goes to. Entries inherit what they leave out from backend.* and state.mode.
 */
final class BackendsConfig {
    private BackendsConfig() {}

    /** backend.* first (the default for static routing), then each entry of backends. Names are unique. */
    static List<ProxyConfig.Backend> all(ProxyConfig.Backend first, Object raw) {
        List<ProxyConfig.Backend> out = new ArrayList<>(List.of(first));
        Set<String> names = new LinkedHashSet<>(List.of(first.id()));
        List<?> items = raw instanceof List<?> l ? l : List.of();
        if (!(raw instanceof List<?>) && !String.valueOf(raw).isBlank()) {
            throw new ConfigException("backends: a YAML list of maps ({name: ..., address: host:port, ...})");
        }
        for (Object item : items) {
            if (!(item instanceof Map<?, ?> m)) {
                throw new ConfigException("backends: each entry is a map with name and address, got '" + item + "'");
            }
            String name = text(m, "name");
            if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
                throw new ConfigException("backends: each entry needs a name of letters, digits, '_', '.', '-'"
                        + " (it is part of every state key), got '" + m.get("name") + "'");
            }
            if (!names.add(name)) {
                throw new ConfigException("backends: the name '" + name + "' is used twice (backend.id counts)");
            }
            String key = "backends[" + name + "]";
            String address = text(m, "address");
            if (address == null) {
                throw new ConfigException(key + ".address is required (host:port)");
            }
            out.add(new ProxyConfig.Backend(
                    name,
                    HostPort.parse(key + ".address", address),
                    m.containsKey("tls")
                            ? Values.enumOf(key + ".tls", m.get("tls"), ProxyConfig.BackendTls.class)
                            : first.tls(),
                    m.containsKey("verify") ? Values.bool(key + ".verify", m.get("verify")) : first.verify(),
                    m.containsKey("caFile") ? text(m, "caFile") : first.caFile(),
                    m.containsKey("connectTimeout")
                            ? Units.duration(key + ".connectTimeout", m.get("connectTimeout"))
                            : first.connectTimeout(),
                    m.containsKey("responseTimeout")
                            ? Units.duration(key + ".responseTimeout", m.get("responseTimeout"))
                            : first.responseTimeout(),
                    m.containsKey("stateMode")
                            ? Values.enumOf(key + ".stateMode", m.get("stateMode"), ProxyConfig.Consistency.class)
                            : first.stateMode()));
            for (Object k : m.keySet()) {
                if (!KEYS.contains(String.valueOf(k))) {
                    throw new ConfigException(key + ": unknown key '" + k + "' (one of " + KEYS + ")");
                }
            }
        }
        return List.copyOf(out);
    }

    private static final List<String> KEYS =
            List.of("name", "address", "tls", "verify", "caFile", "connectTimeout", "responseTimeout", "stateMode");

    /** routing.*: static (everyone to backend.*), or file (a user map, reloaded when it changes). */
    static ProxyConfig.Routing routing(
            List<ProxyConfig.Backend> backends,
            Object mode,
            String file,
            String dflt,
            Duration reloadCheck,
            ProxyConfig.RedisRoutes redis) {
        ProxyConfig.RoutingMode m = Values.enumOf("routing.mode", mode, ProxyConfig.RoutingMode.class);
        if (m == ProxyConfig.RoutingMode.REDIS
                && (redis.uri() == null || !redis.uri().startsWith("redis"))) {
            throw new ConfigException(
                    "routing.mode is redis, but neither routing.redis nor state.store is a Redis URI");
        }
        if (m == ProxyConfig.RoutingMode.REDIS && redis.uri().contains("-cluster://")) {
            throw new ConfigException("routing.redis: a Cluster URI is not supported for the routing hash; give one"
                    + " node or a Sentinel URI in routing.redis");
        }
        if (m == ProxyConfig.RoutingMode.FILE && file == null) {
            throw new ConfigException("routing.mode is file, but routing.file is not set");
        }
        if (m == ProxyConfig.RoutingMode.STATIC && backends.size() > 1) {
            throw new ConfigException("backends lists more stores, but routing.mode is static (everyone goes to "
                    + backends.get(0).id() + "): set routing.mode: file");
        }
        if (dflt != null && backends.stream().noneMatch(b -> b.id().equals(dflt))) {
            throw new ConfigException("routing.default: no backend is named '" + dflt + "'");
        }
        return new ProxyConfig.Routing(m, file, dflt, reloadCheck, m == ProxyConfig.RoutingMode.REDIS ? redis : null);
    }

    private static String text(Map<?, ?> m, String k) {
        Object v = m.get(k);
        String s = v == null ? "" : String.valueOf(v).trim();
        return s.isEmpty() ? null : s;
    }
}

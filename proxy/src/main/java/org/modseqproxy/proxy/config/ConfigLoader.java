package org.modseqproxy.proxy.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.modseqproxy.state.StoreOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Builds a {@link ProxyConfig}: defaults, then the YAML file, then environment variables
 * ({@code MODSEQ_BACKEND_ADDRESS} for {@code backend.address}), then {@code --set key=value} flags. Every key is
 * known in advance (the defaults table), so a typo in any layer fails fast with the key's name.
 */
public final class ConfigLoader {
    private final Map<String, Object> values = Defaults.copy();

    /** Keys an operator can set, in sample-file order. */
    public static List<String> keys() {
        return Defaults.keys();
    }

    /** The environment variable that overrides a key: backend.connectTimeout -> MODSEQ_BACKEND_CONNECT_TIMEOUT. */
    public static String envName(String key) {
        return "MODSEQ_"
                + key.replace('.', '_').replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    public ConfigLoader file(Path file) {
        if (file == null) {
            return this;
        }
        Object root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ConfigException("config file " + file + " is not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            return this;
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new ConfigException("config file " + file + ": top level must be a mapping");
        }
        flatten("", map);
        return this;
    }

    private void flatten(String prefix, Map<?, ?> map) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> sub) {
                flatten(key + ".", sub);
            } else {
                set(key, e.getValue() == null ? "" : e.getValue());
            }
        }
    }

    public ConfigLoader env(Map<String, String> env) {
        for (String key : Defaults.keys()) {
            String v = env.get(envName(key));
            if (v != null) {
                set(key, v);
            }
        }
        return this;
    }

    /** A {@code key=value} flag. */
    public ConfigLoader set(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("--set expects key=value, got '" + assignment + "'");
        }
        return set(
                assignment.substring(0, eq).trim(), assignment.substring(eq + 1).trim());
    }

    public ConfigLoader set(String key, Object value) {
        if (!Defaults.known(key)) {
            String hint = Values.closest(key, Defaults.keys());
            throw new ConfigException("unknown configuration key '" + key + "'"
                    + (hint != null
                            ? ": did you mean '" + hint + "'?"
                            : " (the sample file deploy/config/modseq-proxy.sample.yaml lists every key)"));
        }
        values.put(key, value);
        return this;
    }

    public ProxyConfig build() {
        StateSecrets secrets = new StateSecrets(this);
        ProxyConfig.Listen listen =
                new ProxyConfig.Listen(hostPort("listen.plain"), hostPort("listen.tls"), proxyProtocol());
        if (listen.plain() == null && listen.tls() == null) {
            throw new ConfigException("listen: at least one of listen.plain and listen.tls is needed");
        }
        ProxyConfig.Tls tls = new ProxyConfig.Tls(
                str("tls.cert"),
                str("tls.key"),
                bool("tls.loginRequiresTls"),
                certificates(),
                Units.duration("tls.reloadCheckInterval", values.get("tls.reloadCheckInterval")));
        if ((tls.cert() == null) != (tls.key() == null)) {
            throw new ConfigException("tls: tls.cert and tls.key go together");
        }
        if (tls.cert() == null && !tls.more().isEmpty()) {
            throw new ConfigException(
                    "tls.certificates needs tls.cert and tls.key: the default for clients without SNI");
        }
        for (String k : List.of("tls.cert", "tls.key")) {
            String f = str(k);
            if (f != null && !Files.isReadable(Path.of(f))) {
                throw new ConfigException(k + ": cannot read " + f);
            }
        }
        HostPort backendAddress = hostPort("backend.address");
        if (backendAddress == null) {
            throw new ConfigException(
                    "backend.address is required (host:port of the IMAP store), e.g. --backend 127.0.0.1:143");
        }
        ProxyConfig.Backend backend = new ProxyConfig.Backend(
                required("backend.id"),
                backendAddress,
                enumOf("backend.tls", ProxyConfig.BackendTls.class),
                bool("backend.verify"),
                str("backend.caFile"),
                Units.duration("backend.connectTimeout", values.get("backend.connectTimeout")),
                Units.duration("backend.responseTimeout", values.get("backend.responseTimeout")),
                null);
        List<ProxyConfig.Backend> backends = BackendsConfig.all(backend, values.get("backends"));
        ProxyConfig.Routing routing = BackendsConfig.routing(
                backends,
                values.get("routing.mode"),
                str("routing.file"),
                str("routing.default"),
                Units.duration("routing.reloadCheckInterval", values.get("routing.reloadCheckInterval")),
                new ProxyConfig.RedisRoutes(
                        str("routing.redis") != null ? str("routing.redis") : str("state.store"),
                        required("routing.redisKey"),
                        Units.duration("routing.cacheTtl", values.get("routing.cacheTtl")),
                        str("routing.redis") != null ? StoreOptions.Credentials.NONE : secrets.login("state.")));
        if (routing.file() != null && !Files.isReadable(Path.of(routing.file()))) {
            throw new ConfigException("routing.file: cannot read " + routing.file());
        }
        ProxyConfig.State state = new ProxyConfig.State(
                required("state.store"),
                enumOf("state.mode", ProxyConfig.Consistency.class),
                list("state.offMailboxes"),
                positiveInt("state.expungeLogMaxEntries"),
                Units.duration("state.idleMailboxTtl", values.get("state.idleMailboxTtl")),
                Units.duration("state.timeout", values.get("state.timeout")),
                secrets.redisLogin(),
                secrets.sentinelLogin(),
                secrets.redisTls(),
                Units.duration("state.listingReuse", values.get("state.listingReuse")));
        ProxyConfig.Limits limits = new ProxyConfig.Limits(
                positiveInt("limits.maxLineLength"),
                Units.size("limits.maxLiteralSize", values.get("limits.maxLiteralSize")),
                positiveInt("limits.maxSessions"),
                Units.duration("limits.idleTimeout", values.get("limits.idleTimeout")),
                Units.duration("limits.loginTimeout", values.get("limits.loginTimeout")),
                Units.duration("limits.loginFailureDelay", values.get("limits.loginFailureDelay")),
                positiveInt("limits.maxLoginFailures"),
                nonNegativeInt("limits.maxConnectionsPerIp"),
                positiveInt("limits.maxPreLoginSessions"));
        if (limits.maxLineLength() < 1000) {
            // RFC 2683 3.2.1.5: clients may send lines of 1000 octets; refusing less breaks them.
            throw new ConfigException("limits.maxLineLength must be at least 1000 (RFC 2683 3.2.1.5)");
        }
        return new ProxyConfig(
                listen,
                tls,
                backend,
                backends,
                routing,
                state,
                limits,
                new ProxyConfig.Id(bool("id.forwardClientAddress")),
                auth(),
                compress(),
                metrics(),
                new ProxyConfig.Log(enumOf("log.format", ProxyConfig.LogFormat.class)),
                new ProxyConfig.Trace(
                        list("trace.users"),
                        str("trace.dir") != null
                                ? str("trace.dir")
                                : Path.of(System.getProperty("java.io.tmpdir"), "modseq-proxy-trace")
                                        .toString(),
                        Units.size("trace.maxBytesPerSession", values.get("trace.maxBytesPerSession")),
                        Units.size("trace.maskLiteralsAbove", values.get("trace.maskLiteralsAbove"))),
                new ProxyConfig.Shutdown(Units.duration("shutdown.gracePeriod", values.get("shutdown.gracePeriod"))));
    }

    /** listen.proxyProtocol*: off, or any (versions 1 and 2, as the balancer sends them) from trusted peers only. */
    private ProxyConfig.ProxyProtocol proxyProtocol() {
        Object mode = values.get("listen.proxyProtocol");
        // YAML 1.1 reads a bare off as false
        String m =
                Boolean.FALSE.equals(mode) ? "off" : String.valueOf(mode).trim().toLowerCase(Locale.ROOT);
        TrustedNetworks trusted =
                TrustedNetworks.parse("listen.proxyProtocolTrusted", list("listen.proxyProtocolTrusted"));
        Duration timeout = Units.duration("listen.proxyProtocolTimeout", values.get("listen.proxyProtocolTimeout"));
        boolean required = switch (m) {
            case "off", "" -> false;
            case "any" -> true;
            case "v1", "v2" ->
                throw new ConfigException("listen.proxyProtocol: '" + m + "' is not offered; 'any' takes"
                        + " the header in either version (the balancer decides which it sends)");
            default -> throw new ConfigException("listen.proxyProtocol: '" + mode + "' is not one of [off, any]");
        };
        if (required && trusted.isEmpty()) {
            throw new ConfigException("listen.proxyProtocol is on, but listen.proxyProtocolTrusted is empty: list the"
                    + " load balancers' addresses (CIDR), since anyone else could claim any client address");
        }
        return new ProxyConfig.ProxyProtocol(required, trusted, timeout);
    }

    /** tls.certificates: a YAML list of {cert, key} maps, or "cert:key,cert:key" from the environment or --set. */
    private List<ProxyConfig.CertKey> certificates() {
        Object v = values.get("tls.certificates");
        List<ProxyConfig.CertKey> out = new ArrayList<>();
        List<?> items = v instanceof List<?> l ? l : Values.list(v);
        for (Object item : items) {
            String cert;
            String key;
            if (item instanceof Map<?, ?> m) {
                cert = m.get("cert") == null
                        ? null
                        : String.valueOf(m.get("cert")).trim();
                key = m.get("key") == null ? null : String.valueOf(m.get("key")).trim();
            } else {
                String[] parts = String.valueOf(item).trim().split(":", 2);
                cert = parts[0];
                key = parts.length == 2 ? parts[1] : null;
            }
            if (cert == null || key == null || cert.isEmpty() || key.isEmpty()) {
                throw new ConfigException("tls.certificates: each entry needs a cert and a key ({cert: ..., key: ...}"
                        + " in YAML, cert.pem:key.pem elsewhere), got '" + item + "'");
            }
            for (String f : List.of(cert, key)) {
                if (!Files.isReadable(Path.of(f))) {
                    throw new ConfigException("tls.certificates: cannot read " + f);
                }
            }
            out.add(new ProxyConfig.CertKey(cert, key));
        }
        return List.copyOf(out);
    }

    private ProxyConfig.Auth auth() {
        List<String> relay = new ArrayList<>();
        for (String m : list("auth.relay")) {
            String u = m.trim().toUpperCase(Locale.ROOT);
            if (!ProxyConfig.Auth.RELAYABLE.contains(u)) {
                throw new ConfigException(
                        "auth.relay: '" + m + "' is not one of "
                                + ProxyConfig.Auth.RELAYABLE
                                + " (PLAIN is always offered; other mechanisms cannot be relayed without the proxy taking part)");
            }
            relay.add(u);
        }
        return new ProxyConfig.Auth(List.copyOf(relay));
    }

    private ProxyConfig.Compress compress() {
        int level = nonNegativeInt("compress.level");
        if (level > 9) {
            throw new ConfigException("compress.level must be 0 (stored) to 9 (smallest), got " + level);
        }
        return new ProxyConfig.Compress(bool("compress.deflate"), level);
    }

    /** metrics.*: the admin token comes from the value or a secret file, never both (like state.password). */
    private ProxyConfig.Metrics metrics() {
        String token = rawStr("metrics.adminToken");
        String file = str("metrics.adminTokenFile");
        if (token != null && file != null) {
            throw new ConfigException("metrics.adminToken and metrics.adminTokenFile: give one of them, not both");
        }
        if (file != null) {
            token = StateSecrets.readPasswordFile("metrics.adminTokenFile", file);
        }
        HostPort listen = hostPort("metrics.listen");
        if (token != null && listen == null) {
            throw new ConfigException("metrics.adminToken is set, but metrics.listen is not: the admin endpoint lives"
                    + " on the metrics listener");
        }
        if (token != null && token.length() < 16) {
            throw new ConfigException("metrics.adminToken must be at least 16 characters");
        }
        String instance = str("metrics.instanceId");
        return new ProxyConfig.Metrics(listen, instance != null ? instance : Values.hostName(), token);
    }

    /** Like {@link #str} but keeps surrounding spaces (they may belong to a password); null when empty. */
    String rawStr(String key) {
        Object v = values.get(key);
        String s = v == null ? "" : String.valueOf(v);
        return s.isEmpty() ? null : s;
    }

    String str(String key) {
        Object v = values.get(key);
        String s = v == null ? "" : String.valueOf(v).trim();
        return s.isEmpty() ? null : s;
    }

    String required(String key) {
        String s = str(key);
        if (s == null) {
            throw new ConfigException(key + " must not be empty");
        }
        return s;
    }

    HostPort hostPort(String key) {
        String s = str(key);
        return s == null ? null : HostPort.parse(key, s);
    }

    boolean bool(String key) {
        return Values.bool(key, values.get(key));
    }

    int nonNegativeInt(String key) {
        return Values.intAtLeast(key, values.get(key), 0);
    }

    int positiveInt(String key) {
        return Values.intAtLeast(key, values.get(key), 1);
    }

    <E extends Enum<E>> E enumOf(String key, Class<E> type) {
        return Values.enumOf(key, values.get(key), type);
    }

    List<String> list(String key) {
        return Values.list(values.get(key));
    }
}

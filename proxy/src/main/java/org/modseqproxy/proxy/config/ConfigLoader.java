package org.modseqproxy.proxy.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.modseqproxy.state.ModSeqStores;
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
    /** Every key with its default; "" means unset. Order is the order of the sample file. */
    private static final Map<String, Object> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("listen.plain", "127.0.0.1:1143");
        DEFAULTS.put("listen.tls", "");
        DEFAULTS.put("tls.cert", "");
        DEFAULTS.put("tls.key", "");
        DEFAULTS.put("tls.loginRequiresTls", false);
        DEFAULTS.put("backend.id", "b1");
        DEFAULTS.put("backend.address", "");
        DEFAULTS.put("backend.tls", "none");
        DEFAULTS.put("backend.verify", true);
        DEFAULTS.put("backend.caFile", "");
        DEFAULTS.put("backend.connectTimeout", "5s");
        DEFAULTS.put("backend.responseTimeout", "60s");
        DEFAULTS.put("state.store", "memory");
        DEFAULTS.put("state.mode", "shared");
        DEFAULTS.put("state.offMailboxes", List.of());
        DEFAULTS.put("state.expungeLogMaxEntries", 10000);
        DEFAULTS.put("state.idleMailboxTtl", "30d");
        DEFAULTS.put("state.timeout", "2s");
        DEFAULTS.put("state.username", "");
        DEFAULTS.put("state.password", "");
        DEFAULTS.put("state.passwordFile", "");
        DEFAULTS.put("state.sentinel.username", "");
        DEFAULTS.put("state.sentinel.password", "");
        DEFAULTS.put("state.sentinel.passwordFile", "");
        DEFAULTS.put("state.tls.caFile", "");
        DEFAULTS.put("state.tls.certFile", "");
        DEFAULTS.put("state.tls.keyFile", "");
        DEFAULTS.put(
                "limits.maxLineLength",
                65536); // no stricter than Dovecot and Courier; RFC 7162 section 4 asks for at least 8192
        DEFAULTS.put("limits.maxLiteralSize", "100MiB");
        DEFAULTS.put("limits.maxSessions", 10000);
        DEFAULTS.put("limits.idleTimeout", "30m");
        DEFAULTS.put("limits.loginTimeout", "60s");
        DEFAULTS.put("limits.loginFailureDelay", "2s");
        DEFAULTS.put("limits.maxLoginFailures", 3);
        DEFAULTS.put("limits.maxConnectionsPerIp", 0);
        DEFAULTS.put("limits.maxPreLoginSessions", 1000);
        DEFAULTS.put("id.forwardClientAddress", false);
        DEFAULTS.put("metrics.listen", "");
        DEFAULTS.put("metrics.instanceId", "");
        DEFAULTS.put("metrics.adminToken", "");
        DEFAULTS.put("metrics.adminTokenFile", "");
        DEFAULTS.put("log.format", "text");
        DEFAULTS.put("trace.users", List.of());
        DEFAULTS.put("trace.dir", "");
        DEFAULTS.put("trace.maxBytesPerSession", "10MiB");
        DEFAULTS.put("trace.maskLiteralsAbove", "1KiB");
        DEFAULTS.put("shutdown.gracePeriod", "20s");
    }

    private final Map<String, Object> values = new LinkedHashMap<>(DEFAULTS);

    /** Keys an operator can set, in sample-file order. */
    public static List<String> keys() {
        return List.copyOf(DEFAULTS.keySet());
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
        for (String key : DEFAULTS.keySet()) {
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
        if (!DEFAULTS.containsKey(key)) {
            String hint = Values.closest(key, DEFAULTS.keySet());
            throw new ConfigException("unknown configuration key '" + key + "'"
                    + (hint != null
                            ? ": did you mean '" + hint + "'?"
                            : " (the sample file deploy/config/modseq-proxy.sample.yaml lists every key)"));
        }
        values.put(key, value);
        return this;
    }

    public ProxyConfig build() {
        ProxyConfig.Listen listen = new ProxyConfig.Listen(hostPort("listen.plain"), hostPort("listen.tls"));
        if (listen.plain() == null && listen.tls() == null) {
            throw new ConfigException("listen: at least one of listen.plain and listen.tls is needed");
        }
        ProxyConfig.Tls tls = new ProxyConfig.Tls(str("tls.cert"), str("tls.key"), bool("tls.loginRequiresTls"));
        if ((tls.cert() == null) != (tls.key() == null)) {
            throw new ConfigException("tls: tls.cert and tls.key go together");
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
                Units.duration("backend.responseTimeout", values.get("backend.responseTimeout")));
        ProxyConfig.State state = new ProxyConfig.State(
                required("state.store"),
                enumOf("state.mode", ProxyConfig.Consistency.class),
                list("state.offMailboxes"),
                positiveInt("state.expungeLogMaxEntries"),
                Units.duration("state.idleMailboxTtl", values.get("state.idleMailboxTtl")),
                Units.duration("state.timeout", values.get("state.timeout")),
                redisLogin(),
                sentinelLogin(),
                redisTls());
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
                state,
                limits,
                new ProxyConfig.Id(bool("id.forwardClientAddress")),
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

    /** metrics.*: the admin token comes from the value or a secret file, never both (like state.password). */
    private ProxyConfig.Metrics metrics() {
        String token = rawStr("metrics.adminToken");
        String file = str("metrics.adminTokenFile");
        if (token != null && file != null) {
            throw new ConfigException("metrics.adminToken and metrics.adminTokenFile: give one of them, not both");
        }
        if (file != null) {
            token = readPasswordFile("metrics.adminTokenFile", file);
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

    /** state.username + state.password (or state.passwordFile): the Redis login, kept out of the store URI. */
    private StoreOptions.Credentials redisLogin() {
        String store = required("state.store");
        StoreOptions.Credentials login = login("state.");
        if (login.isNone()) {
            return login;
        }
        String key = str("state.passwordFile") != null ? "state.passwordFile" : "state.password";
        if (!store.startsWith("redis")) {
            throw new ConfigException(key + " is set, but state.store '" + store + "' is not Redis");
        }
        if (ModSeqStores.hasUserInfo(store)) {
            // two places for one secret: refuse rather than pick one silently
            throw new ConfigException(
                    key + " is set, but state.store carries a login too (user:pass@); give it in one place");
        }
        return login;
    }

    /**
     * state.sentinel.username + state.sentinel.password (or passwordFile): the sentinels' own login (their requirepass
     * or an ACL user on them). A Sentinel URI's user:pass@, like state.username/password, is the data nodes' login.
     */
    private StoreOptions.Credentials sentinelLogin() {
        StoreOptions.Credentials login = login("state.sentinel.");
        String store = required("state.store");
        if (!login.isNone() && !store.startsWith("redis-sentinel://") && !store.startsWith("rediss-sentinel://")) {
            throw new ConfigException("state.sentinel.* is set, but state.store is not a Sentinel URI"
                    + " (redis-sentinel://, rediss-sentinel://)");
        }
        return login;
    }

    /** prefix + username, password, passwordFile: one login; NONE when no password is given. */
    private StoreOptions.Credentials login(String prefix) {
        String user = str(prefix + "username");
        String password = rawStr(prefix + "password");
        String file = str(prefix + "passwordFile");
        if (password != null && file != null) {
            throw new ConfigException(prefix + "password and " + prefix + "passwordFile: give one of them, not both");
        }
        if (file != null) {
            password = readPasswordFile(prefix + "passwordFile", file);
        }
        if (password == null) {
            if (user != null) {
                throw new ConfigException(
                        prefix + "username needs " + prefix + "password or " + prefix + "passwordFile");
            }
            return StoreOptions.Credentials.NONE;
        }
        return new StoreOptions.Credentials(user, password);
    }

    /** A secret file (Docker/Kubernetes secret): its content without the trailing line break. */
    private static String readPasswordFile(String key, String file) {
        String s;
        try {
            s = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(key + ": cannot read " + file);
        }
        s = s.replaceAll("[\\r\\n]+$", "");
        if (s.isEmpty()) {
            throw new ConfigException(key + ": " + file + " is empty");
        }
        return s;
    }

    /** state.tls.*: PEM files for rediss:// (a private CA; a client certificate for mutual TLS). */
    private StoreOptions.Tls redisTls() {
        Path ca = readableFile("state.tls.caFile");
        Path cert = readableFile("state.tls.certFile");
        Path key = readableFile("state.tls.keyFile");
        if ((cert == null) != (key == null)) {
            throw new ConfigException("state.tls: state.tls.certFile and state.tls.keyFile go together");
        }
        if (ca == null && cert == null) {
            return StoreOptions.Tls.DEFAULT;
        }
        String store = required("state.store");
        if (!store.startsWith("rediss")) {
            throw new ConfigException("state.tls." + (ca != null ? "caFile" : "certFile")
                    + " is set, but state.store does not use TLS (rediss://, rediss-cluster://, rediss-sentinel://)");
        }
        return new StoreOptions.Tls(ca, cert, key);
    }

    private Path readableFile(String key) {
        String f = str(key);
        if (f == null) {
            return null;
        }
        Path p = Path.of(f);
        if (!Files.isReadable(p) || Files.isDirectory(p)) {
            throw new ConfigException(key + ": cannot read " + f);
        }
        return p;
    }

    /** Like {@link #str} but keeps surrounding spaces (they may belong to a password); null when empty. */
    private String rawStr(String key) {
        Object v = values.get(key);
        String s = v == null ? "" : String.valueOf(v);
        return s.isEmpty() ? null : s;
    }

    private String str(String key) {
        Object v = values.get(key);
        String s = v == null ? "" : String.valueOf(v).trim();
        return s.isEmpty() ? null : s;
    }

    private String required(String key) {
        String s = str(key);
        if (s == null) {
            throw new ConfigException(key + " must not be empty");
        }
        return s;
    }

    private HostPort hostPort(String key) {
        String s = str(key);
        return s == null ? null : HostPort.parse(key, s);
    }

    private boolean bool(String key) {
        return Values.bool(key, values.get(key));
    }

    private int nonNegativeInt(String key) {
        return Values.intAtLeast(key, values.get(key), 0);
    }

    private int positiveInt(String key) {
        return Values.intAtLeast(key, values.get(key), 1);
    }

    private <E extends Enum<E>> E enumOf(String key, Class<E> type) {
        return Values.enumOf(key, values.get(key), type);
    }

    private List<String> list(String key) {
        return Values.list(values.get(key));
    }
}

package org.modseqproxy.state.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.modseqproxy.state.StoreOptions;

/**
 * A Sentinel-managed Redis: one master, one or more replicas ({@code --replicaof}) and three sentinels
 * ({@code redis-server <conf> --sentinel}, quorum 2), all real processes on free loopback ports, using the binary
 * {@link RedisServerFixture#findBinary()} picks. Sentinels declare a master down after 1 s, so a SIGKILLed master is
 * replaced within a few seconds.
 *
 * <pre>
 * try (RedisSentinelFixture s = RedisSentinelFixture.start()) {
 *     ModSeqStores.create(s.uri(), opts) ...   // redis-sentinel://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3#modseq
 *     s.killMaster();                           // SIGKILL
 *     s.awaitFailover(Duration.ofSeconds(30));  // a replica was promoted, every sentinel says so
 * }
 * </pre>
 *
 * <p>With a password ({@link #start(int, String)}), master and replicas get {@code requirepass} and
 * {@code masterauth}, the sentinels {@code sentinel auth-pass}; the sentinels themselves stay without a password,
 * since Lettuce applies the password of a {@code redis-sentinel://:pw@...} URI to the data nodes only (RedisURI
 * javadoc, "Authentication").
 *
 * <p>Secured ({@link #start(RedisSecurity, int, String)}): every data node is a {@link RedisServerFixture} with that
 * security (TLS-only port, ACL user or requirepass), replicating over TLS ({@code tls-replication yes}) and logging
 * in to its master as the fixture's admin user ({@code masteruser}/{@code masterauth}). The sentinels then listen on
 * a TLS port only ({@code port 0}), talk TLS to the data nodes and to each other ({@code tls-replication yes} is what
 * makes a sentinel's outgoing links TLS, and its hello messages announce the TLS port), and log in to the data nodes
 * as the admin user too ({@code sentinel auth-user}/{@code auth-pass}): Sentinel needs PUBLISH/SUBSCRIBE, INFO,
 * REPLICAOF, CONFIG REWRITE and CLIENT KILL there, more than an application user should have. Optionally the
 * sentinels require a login of their own ({@code requirepass} or an ACL user, also used between sentinels via
 * {@code sentinel sentinel-user}/{@code sentinel-pass}).
 */
public final class RedisSentinelFixture implements AutoCloseable {

    /** The name the sentinels monitor the master under: the URI's fragment. */
    public static final String MASTER_NAME = "modseq";

    private static final int SENTINELS = 3;
    private static final Duration SETTLE = Duration.ofSeconds(30);

    private final Path dir;
    private final String password; // the legacy requirepass set at run time, or null (secured mode: see security)
    private final RedisSecurity security; // data nodes' security; NONE in the legacy modes
    private final StoreOptions.Credentials sentinelLogin; // what the sentinels ask of their clients; NONE: nothing
    private final List<RedisServerFixture> dataNodes = new CopyOnWriteArrayList<>();
    private final List<Sentinel> sentinels = new CopyOnWriteArrayList<>();
    private volatile int previousMasterPort = -1;

    private RedisSentinelFixture(
            Path dir, String password, RedisSecurity security, StoreOptions.Credentials sentinelLogin) {
        this.dir = dir;
        this.password = password;
        this.security = security;
        this.sentinelLogin = sentinelLogin;
        // sentinels are our own processes: never leave one behind (data nodes have RedisServerFixture's hook)
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> sentinels.forEach(Sentinel::kill), "redis-sentinel-fixture"));
    }

    /** One master, one replica, three sentinels, no password. */
    public static RedisSentinelFixture start() {
        return start(1, null);
    }

    /**
     * @param replicas how many replicas (at least 1, so that a failover has somewhere to go)
     * @param password data-node password ({@code requirepass}/{@code masterauth}), or null for none
     */
    public static RedisSentinelFixture start(int replicas, String password) {
        return launch(
                replicas,
                dir -> new RedisSentinelFixture(dir, password, RedisSecurity.NONE, StoreOptions.Credentials.NONE));
    }

    /**
     * A secured set (see the class comment).
     *
     * @param security         every data node's security, e.g. {@code RedisSecurity.tls(certs).withUser(...)}; its
     *                         TLS certificates (and client certificate requirement) serve the sentinels too
     * @param replicas         at least 1
     * @param sentinelLogin    the sentinels' own login: a password only ({@code requirepass}), an ACL user (the
     *                         sentinels' {@code default} user is then off), or {@code Credentials.NONE} for sentinels
     *                         open to any client
     */
    public static RedisSentinelFixture start(
            RedisSecurity security, int replicas, StoreOptions.Credentials sentinelLogin) {
        return launch(replicas, dir -> new RedisSentinelFixture(dir, null, security, sentinelLogin));
    }

    private static RedisSentinelFixture launch(int replicas, Function<Path, RedisSentinelFixture> make) {
        if (replicas < 1) {
            throw new IllegalArgumentException("a failover needs at least one replica");
        }
        try {
            Path dir = Files.createTempDirectory("redis-sentinel-fixture");
            RedisSentinelFixture f = make.apply(dir);
            try {
                f.form(replicas);
            } catch (IOException | RuntimeException e) {
                f.close();
                throw e;
            }
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replication options every data node gets: TLS links and the master login, in secured mode. */
    private List<String> replicationArgs() {
        List<String> args = new ArrayList<>();
        if (security.tls() != null) {
            args.addAll(List.of("--tls-replication", "yes"));
        }
        if (security.user() != null) {
            args.addAll(List.of(
                    "--masteruser", RedisServerFixture.ADMIN_USER, "--masterauth", RedisServerFixture.ADMIN_PASSWORD));
        } else if (security.requirePass() != null) {
            args.addAll(List.of("--masterauth", security.requirePass()));
        }
        return args;
    }

    private void form(int replicas) throws IOException {
        // a full resync writes an RDB file (replicas always, masters unless diskless): one per node, not in the cwd
        List<String> rdb = new ArrayList<>(List.of("--dir", dir.toString(), "--dbfilename", "dump-{port}.rdb"));
        // the master gets the replication options too, in case it ever comes back as a replica
        rdb.addAll(replicationArgs());
        RedisServerFixture master = RedisServerFixture.start(security, rdb);
        dataNodes.add(master);
        if (password != null) {
            // set at run time: RedisServerFixture's start-up PING has no AUTH. masterauth too, in case the old master
            // ever comes back as a replica.
            master.call("CONFIG", "SET", "masterauth", password);
            master.call("CONFIG", "SET", "requirepass", password);
        }
        for (int i = 0; i < replicas; i++) {
            List<String> args = new ArrayList<>(rdb);
            args.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(master.port())));
            if (password != null) {
                args.addAll(List.of("--masterauth", password));
            }
            RedisServerFixture r = RedisServerFixture.start(security, args);
            dataNodes.add(r);
            if (password != null) {
                r.call("CONFIG", "SET", "requirepass", password);
            }
        }
        await(
                "replicas in sync",
                () -> dataNodes.stream()
                        .skip(1)
                        .allMatch(r -> info(r.port(), "replication").contains("master_link_status:up")));

        for (int i = 0; i < SENTINELS; i++) {
            sentinels.add(Sentinel.launch(this, i, master.port()));
        }
        // Quorum 2 needs every sentinel to know the others (hello messages, every 2 s), and a failover needs them to
        // know the replicas (INFO from the master) in a healthy state.
        await("sentinels see " + replicas + " replicas and each other", () -> {
            for (Sentinel s : sentinels) {
                Map<String, String> m = asMap(callSentinel(s.port, "SENTINEL", "MASTER", MASTER_NAME));
                if (!"master".equals(m.get("flags"))
                        || !Integer.toString(replicas).equals(m.get("num-slaves"))
                        || !Integer.toString(SENTINELS - 1).equals(m.get("num-other-sentinels"))) {
                    return false;
                }
                for (Object r : (List<?>) callSentinel(s.port, "SENTINEL", "REPLICAS", MASTER_NAME)) {
                    Map<String, String> rm = asMap(r);
                    if (!"slave".equals(rm.get("flags")) || !"ok".equals(rm.get("master-link-status"))) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    /**
     * {@code redis-sentinel://[:password@]127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3#modseq}: Lettuce's Sentinel URI, the
     * master name as fragment (RedisURI also accepts {@code ?sentinelMasterId=modseq}). Secured:
     * {@code rediss-sentinel://alice:secret@...#modseq} (the login is the data nodes', as Lettuce reads it).
     */
    public String uri() {
        String auth = password != null ? ":" + password + "@" : security.userInfo();
        return scheme() + auth + hosts() + "#" + MASTER_NAME;
    }

    /** {@link #uri()} without the data nodes' login (for credentials given in the store options). */
    public String uriWithoutCredentials() {
        return scheme() + hosts() + "#" + MASTER_NAME;
    }

    private String scheme() {
        return security.tls() == null ? "redis-sentinel://" : "rediss-sentinel://";
    }

    private String hosts() {
        return sentinels.stream().map(s -> "127.0.0.1:" + s.port).collect(Collectors.joining(","));
    }

    /** The sentinels' own login, or {@code Credentials.NONE}. */
    public StoreOptions.Credentials sentinelLogin() {
        return sentinelLogin;
    }

    /** Port of the master, as the first sentinel that answers reports it. */
    public int masterPort() {
        for (Sentinel s : sentinels) {
            try {
                return reportedMaster(s);
            } catch (IOException | RuntimeException tryNext) {
                // that sentinel is down or busy
            }
        }
        throw new IllegalStateException("no sentinel answers");
    }

    /** The data nodes (master first at start; after a failover, ask {@link #masterPort()}). */
    public List<RedisServerFixture> dataNodes() {
        return List.copyOf(dataNodes);
    }

    public List<Integer> sentinelPorts() {
        return sentinels.stream().map(s -> s.port).toList();
    }

    /** SIGKILLs the current master and returns its port. */
    public int killMaster() {
        int port = masterPort();
        RedisServerFixture victim = dataNodes.stream()
                .filter(n -> n.port() == port)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("master port " + port + " is not one of ours"));
        previousMasterPort = port;
        victim.stop();
        return port;
    }

    /**
     * Asks a sentinel for a failover while the master is healthy ({@code SENTINEL FAILOVER}): a replica is promoted
     * and the old master, still running, is turned into its replica. Returns the old master's port.
     */
    public int manualFailover() throws IOException {
        int port = masterPort();
        previousMasterPort = port;
        callSentinel(sentinels.get(0).port, "SENTINEL", "FAILOVER", MASTER_NAME);
        return port;
    }

    /**
     * Waits until every sentinel reports a master other than the one {@link #killMaster()} killed (or
     * {@link #manualFailover()} demoted), that node says {@code role:master}, and every other running data node
     * replicates it with its link up (so that the set can fail over again). Returns the new master's port.
     */
    public int awaitFailover(Duration max) {
        int old = previousMasterPort;
        if (old < 0) {
            throw new IllegalStateException("killMaster() or manualFailover() first");
        }
        int[] now = {-1};
        try {
            await(max, "a sentinel failover away from port " + old, () -> {
                int seen = -1;
                for (Sentinel s : sentinels) {
                    int p = reportedMaster(s);
                    if (p == old || (seen >= 0 && p != seen)) {
                        return false;
                    }
                    seen = p;
                }
                now[0] = seen;
                if (!info(seen, "replication").contains("role:master")) {
                    return false;
                }
                for (RedisServerFixture n : dataNodes) {
                    if (n.isRunning() && n.port() != seen) {
                        String repl = info(n.port(), "replication");
                        if (!repl.contains("master_port:" + seen + "\r\n") || !repl.contains("master_link_status:up")) {
                            return false;
                        }
                    }
                }
                return true;
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return now[0];
    }

    /**
     * Sends a command to a data node as the fixture (AUTH with the password, or in secured mode over TLS as the admin
     * user: see {@link RedisServerFixture#call}).
     */
    public Object callDataNode(int port, String... args) throws IOException {
        if (password != null || security.equals(RedisSecurity.NONE)) {
            return call(port, null, password == null ? null : new String[] {"AUTH", password}, args);
        }
        RedisServerFixture node = dataNodes.stream()
                .filter(n -> n.port() == port)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no data node on port " + port));
        return node.call(args);
    }

    /** Sends a command to a sentinel (over TLS and with AUTH as the set requires). */
    public Object callSentinel(int port, String... args) throws IOException {
        return call(port, security.tls() == null ? null : security.tls().clientContext(), sentinelAuth(), args);
    }

    private String[] sentinelAuth() {
        if (sentinelLogin.isNone()) {
            return null;
        }
        return sentinelLogin.username() == null
                ? new String[] {"AUTH", sentinelLogin.password()}
                : new String[] {"AUTH", sentinelLogin.username(), sentinelLogin.password()};
    }

    private int reportedMaster(Sentinel s) throws IOException {
        List<?> addr = (List<?>) callSentinel(s.port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
        return Integer.parseInt((String) addr.get(1));
    }

    private String info(int port, String section) {
        try {
            return (String) callDataNode(port, "INFO", section);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    @Override
    public void close() {
        sentinels.forEach(Sentinel::kill);
        dataNodes.forEach(RedisServerFixture::close);
        try (var files = Files.list(dir)) {
            files.forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // temp dir cleanup is best effort
        }
        dir.toFile().delete();
    }

    /**
     * A sentinel's port lines: plain, or TLS only. {@code tls-replication yes} makes its links to the data nodes and to
     * the other sentinels TLS, and makes it announce the TLS port in its hello messages.
     */
    private String listenConfig(int port) {
        TestCertificates tls = security.tls();
        if (tls == null) {
            return "port " + port + "\n";
        }
        return "port 0\n"
                + "tls-port " + port + "\n"
                + "tls-cert-file " + tls.serverCertFile() + "\n"
                + "tls-key-file " + tls.serverKeyFile() + "\n"
                + "tls-ca-cert-file " + tls.caFile() + "\n"
                // mutual TLS: a sentinel's outgoing links show its tls-cert-file, which the CA signed without
                // restricting its use, so it passes as a client certificate at the data nodes and other sentinels
                + "tls-auth-clients " + (security.clientCertRequired() ? "yes" : "no") + "\n"
                + "tls-replication yes\n";
    }

    /** How a sentinel logs in to the data nodes and to the other sentinels, and what it asks of its own clients. */
    private String authConfig() {
        StringBuilder c = new StringBuilder();
        if (password != null) {
            c.append("sentinel auth-pass ")
                    .append(MASTER_NAME)
                    .append(' ')
                    .append(password)
                    .append('\n');
        } else if (security.user() != null) {
            c.append("sentinel auth-user ")
                    .append(MASTER_NAME)
                    .append(' ')
                    .append(RedisServerFixture.ADMIN_USER)
                    .append('\n')
                    .append("sentinel auth-pass ")
                    .append(MASTER_NAME)
                    .append(' ')
                    .append(RedisServerFixture.ADMIN_PASSWORD)
                    .append('\n');
        } else if (security.requirePass() != null) {
            c.append("sentinel auth-pass ")
                    .append(MASTER_NAME)
                    .append(' ')
                    .append(security.requirePass())
                    .append('\n');
        }
        // the sentinels' own login, which they also use with each other (sentinel-user/sentinel-pass, Redis 6.2+)
        if (sentinelLogin.username() != null) {
            c.append("user default off\n")
                    .append("user ")
                    .append(sentinelLogin.username())
                    .append(" on >")
                    .append(sentinelLogin.password())
                    .append(" allchannels +@all\n")
                    .append("sentinel sentinel-user ")
                    .append(sentinelLogin.username())
                    .append('\n')
                    .append("sentinel sentinel-pass ")
                    .append(sentinelLogin.password())
                    .append('\n');
        } else if (!sentinelLogin.isNone()) {
            c.append("requirepass ")
                    .append(sentinelLogin.password())
                    .append('\n')
                    .append("sentinel sentinel-pass ")
                    .append(sentinelLogin.password())
                    .append('\n');
        }
        return c.toString();
    }

    // ---- sentinel processes -----------------------------------------------------------------------------------

    /** One {@code redis-server <conf> --sentinel}; the config file must be writable (sentinels rewrite it). */
    private static final class Sentinel {
        final int port;
        final Process process;

        private Sentinel(int port, Process process) {
            this.port = port;
            this.process = process;
        }

        static Sentinel launch(RedisSentinelFixture f, int index, int masterPort) throws IOException {
            Path dir = f.dir;
            IOException last = null;
            for (int attempt = 0; attempt < 5; attempt++) { // another process may grab the free port first
                int port = freePort();
                Path conf = dir.resolve("sentinel-" + index + ".conf");
                Path log = dir.resolve("sentinel-" + index + ".log");
                StringBuilder c = new StringBuilder()
                        .append(f.listenConfig(port))
                        .append("bind 127.0.0.1\n")
                        .append("daemonize no\n")
                        .append("dir ")
                        .append(dir)
                        .append('\n')
                        .append("sentinel resolve-hostnames no\n")
                        .append("sentinel monitor ")
                        .append(MASTER_NAME)
                        .append(" 127.0.0.1 ")
                        .append(masterPort)
                        .append(" 2\n")
                        .append("sentinel down-after-milliseconds ")
                        .append(MASTER_NAME)
                        .append(" 1000\n")
                        // also the pause before a failed election is retried (twice this), so keep it short
                        .append("sentinel failover-timeout ")
                        .append(MASTER_NAME)
                        .append(" 3000\n")
                        .append("sentinel parallel-syncs ")
                        .append(MASTER_NAME)
                        .append(" 1\n")
                        .append(f.authConfig());
                Files.writeString(conf, c.toString());
                Process p = new ProcessBuilder(
                                RedisServerFixture.findBinary().toString(), conf.toString(), "--sentinel")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
                Sentinel s = new Sentinel(port, p);
                try {
                    await(Duration.ofSeconds(10), "sentinel on port " + port + " answers PING", () -> {
                        if (!p.isAlive()) {
                            throw new IOException("sentinel exited: " + Files.readString(log));
                        }
                        return "PONG".equals(f.callSentinel(port, "PING"));
                    });
                    return s;
                } catch (IOException e) {
                    s.kill();
                    last = e;
                }
            }
            throw last;
        }

        void kill() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // ---- waiting ----------------------------------------------------------------------------------------------

    private interface Check {
        boolean ok() throws IOException;
    }

    private static void await(String what, Check check) throws IOException {
        await(SETTLE, what, check);
    }

    /** Polls every 50 ms; a check that throws counts as "not yet" (the last such error is reported on timeout). */
    private static void await(Duration max, String what, Check check) throws IOException {
        long deadline = System.nanoTime() + max.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("sentinel exited")) {
                    throw (IOException) e;
                }
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        throw new IOException("redis sentinel fixture: timed out waiting until " + what, last);
    }

    // ---- a tiny RESP client (for any port, AUTH and TLS as asked) -----------------------------------------

    /**
     * Sends one command over a fresh connection (TLS when {@code tls} is set, after {@code auth} when set) and returns
     * the reply: String (null for nil), Long or List; an error reply throws IllegalStateException.
     */
    static Object call(int port, SSLContext tls, String[] auth, String... args) throws IOException {
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (Socket plain = new Socket()) {
            plain.connect(at, 1000);
            plain.setSoTimeout(5000);
            Socket s = plain;
            if (tls != null) {
                SSLSocket t = (SSLSocket) tls.getSocketFactory().createSocket(plain, at.getHostString(), port, true);
                t.startHandshake();
                s = t;
            }
            try (Socket closing = s) {
                OutputStream out = closing.getOutputStream();
                InputStream in = new BufferedInputStream(closing.getInputStream());
                if (auth != null) {
                    write(out, auth);
                    Resp.readReply(in);
                }
                write(out, args);
                return Resp.readReply(in);
            }
        }
    }

    private static void write(OutputStream out, String... args) throws IOException {
        out.write(Resp.frame(args));
        out.flush();
    }

    /** SENTINEL MASTER / REPLICAS entries are flat [name, value, name, value, ...] lists. */
    private static Map<String, String> asMap(Object flat) {
        List<?> l = (List<?>) flat;
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < l.size(); i += 2) {
            m.put((String) l.get(i), (String) l.get(i + 1));
        }
        return m;
    }
}

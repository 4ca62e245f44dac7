package org.modseqproxy.state.testing;

import java.io.BufferedInputStream;
import java.io.File;
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
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Assumptions;
import redis.embedded.core.ExecutableProvider;

/**
 * A real {@code redis-server} on a free loopback port, without persistence, for tests of any module.
 *
 * <p>The binary is {@code redis-server} from PATH, or else the Linux/macOS binary shipped by
 * {@code com.github.codemonstur:embedded-redis} (Redis 6.2). The system property {@code modseq.redis.server}
 * overrides: {@code embedded} forces the shipped 6.2 binary, anything else is a path to a binary.
 *
 * <pre>
 * try (RedisServerFixture redis = RedisServerFixture.start()) {
 *     ModSeqStores.create(redis.uri(), opts) ...
 *     redis.stop();     // really kills it: the store sees Redis down
 *     redis.restart();  // same port, empty data set
 * }
 * </pre>
 *
 * <p>Secured servers ({@link #start(RedisSecurity)}): TLS on the one and only port (no plain port at all, so a test
 * cannot pass by accident over plaintext), an ACL user or requirepass. The fixture's own calls ({@link #call},
 * {@link #flushAll}, the start-up PING) then go the way a client's would: over TLS trusting the test CA and showing
 * the test client certificate, authenticated as a separate all-powerful ACL user ({@code fixture-admin}, random
 * password) or with the requirepass. A second, plain admin port was the other choice; it was not taken because it
 * would leave a plaintext door open next to the door under test.
 */
public final class RedisServerFixture implements AutoCloseable {

    /** The ACL user the fixture itself logs in as (the application's user may have fewer rights). */
    public static final String ADMIN_USER = "fixture-admin";
    /** Its password: one per test JVM, so that replicas can log in to their masters with it. */
    static final String ADMIN_PASSWORD = UUID.randomUUID().toString();

    private final Path binary;
    private final int port;
    private final List<String> extraArgs;
    private final RedisSecurity security;
    private final Path log;
    private volatile Process process;

    private RedisServerFixture(Path binary, int port, List<String> extraArgs, RedisSecurity security)
            throws IOException {
        this.binary = binary;
        this.port = port;
        this.extraArgs = extraArgs;
        this.security = security;
        this.log = Files.createTempFile("redis-fixture-" + port + "-", ".log");
        this.log.toFile().deleteOnExit();
        // never leave a redis-server behind, even if the test JVM exits without close()
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            Process p = process;
                            if (p != null) {
                                p.destroyForcibly();
                            }
                        },
                        "redis-fixture-" + port));
    }

    /** Starts a server on a free port (retrying if another process grabs the port first). */
    public static RedisServerFixture start() {
        return start(List.of());
    }

    /**
     * Starts a server with extra command-line options (e.g. {@code --cluster-enabled yes}); the token
     * {@code {port}} in an option is replaced by the chosen port.
     */
    public static RedisServerFixture start(List<String> extraArgs) {
        return start(RedisSecurity.NONE, extraArgs);
    }

    /** Starts a secured server (TLS, ACL user, requirepass: see {@link RedisSecurity}). */
    public static RedisServerFixture start(RedisSecurity security) {
        return start(security, List.of());
    }

    public static RedisServerFixture start(RedisSecurity security, List<String> extraArgs) {
        Path bin = findBinary();
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                int port = freePort();
                List<String> args = extraArgs.stream()
                        .map(a -> a.replace("{port}", Integer.toString(port)))
                        .toList();
                RedisServerFixture f = new RedisServerFixture(bin, port, args, security);
                f.launch();
                return f;
            } catch (IOException e) {
                last = e;
                skipIfTlsIsMissingFromTheShippedBinary(security, e);
            }
        }
        throw new UncheckedIOException("could not start redis-server " + bin, last);
    }

    /**
     * Only the fallback binary of embedded-redis may lack TLS: then TLS tests are skipped, saying why. A redis-server
     * from PATH (or named by modseq.redis.server) that fails with TLS fails the test: nothing is skipped silently.
     */
    private static void skipIfTlsIsMissingFromTheShippedBinary(RedisSecurity security, IOException e) {
        String msg = String.valueOf(e.getMessage());
        boolean tlsUnknown = msg.contains("Bad directive") && msg.contains("tls-");
        Assumptions.assumeFalse(
                security.tls() != null && tlsUnknown && usesShippedBinary(),
                "the redis-server shipped by embedded-redis was built without TLS; install redis-server "
                        + "(Debian's is built with TLS) to run the Redis TLS tests");
    }

    /** True when start() falls back to the binary shipped in the embedded-redis jar. */
    public static boolean usesShippedBinary() {
        String override = System.getProperty("modseq.redis.server", "");
        return override.equals("embedded") || (override.isBlank() && binaryOnPath() == null);
    }

    private static Path binaryOnPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, "redis-server");
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Which binary start() uses. */
    public static Path findBinary() {
        String override = System.getProperty("modseq.redis.server", "");
        if (!override.isBlank() && !override.equals("embedded")) {
            return Path.of(override);
        }
        if (override.isBlank()) {
            Path onPath = binaryOnPath();
            if (onPath != null) {
                return onPath;
            }
        }
        try {
            return ExecutableProvider.newJarResourceProvider().get().toPath();
        } catch (IOException e) {
            throw new UncheckedIOException("no redis-server on PATH and none shipped for this platform", e);
        }
    }

    /** A free loopback port whose port+10000 (the cluster bus) is free too. */
    private static int freePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int p = s.getLocalPort();
                if (p + 10000 > 65535) {
                    continue;
                }
                try (ServerSocket bus = new ServerSocket(p + 10000, 1, InetAddress.getLoopbackAddress())) {
                    return p;
                } catch (IOException busy) {
                    // try another
                }
            }
        }
        throw new IOException("no free port pair found");
    }

    private void launch() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                binary.toString(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes"));
        TestCertificates tls = security.tls();
        if (tls == null) {
            cmd.addAll(List.of("--port", Integer.toString(port)));
        } else {
            cmd.addAll(List.of(
                    "--port",
                    "0",
                    "--tls-port",
                    Integer.toString(port),
                    "--tls-cert-file",
                    tls.serverCertFile().toString(),
                    "--tls-key-file",
                    tls.serverKeyFile().toString(),
                    "--tls-ca-cert-file",
                    tls.caFile().toString(),
                    "--tls-auth-clients",
                    security.clientCertRequired() ? "yes" : "no"));
        }
        if (security.user() != null) {
            // the "default" user (no name, no password) is switched off: every client must say who it is
            cmd.addAll(List.of(
                    "--user",
                    "default",
                    "off",
                    "--user",
                    ADMIN_USER,
                    "on",
                    ">" + ADMIN_PASSWORD,
                    "~*",
                    "&*",
                    "+@all",
                    "--user",
                    security.user(),
                    "on",
                    ">" + security.password()));
            cmd.addAll(security.userRuleList());
        }
        if (security.requirePass() != null) {
            cmd.addAll(List.of("--requirepass", security.requirePass()));
        }
        cmd.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        process = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited: " + Files.readString(log));
            }
            try {
                if ("PONG".equals(call("PING"))) {
                    return;
                }
            } catch (IOException | RuntimeException notYet) {
                // not listening yet
            }
            sleep(20);
        }
        process.destroyForcibly();
        throw new IOException("redis-server did not answer PING on port " + port + ": " + Files.readString(log));
    }

    public int port() {
        return port;
    }

    /**
     * {@code redis://127.0.0.1:<port>}; for a secured server {@code rediss://} and the application's login, e.g.
     * {@code rediss://alice:secret@127.0.0.1:<port>} (a client must still be told to trust the test CA).
     */
    public String uri() {
        return scheme() + security.userInfo() + "127.0.0.1:" + port;
    }

    /** {@link #uri()} without user and password (for credentials given some other way). */
    public String uriWithoutCredentials() {
        return scheme() + "127.0.0.1:" + port;
    }

    private String scheme() {
        return security.tls() == null ? "redis://" : "rediss://";
    }

    public RedisSecurity security() {
        return security;
    }

    public Path binary() {
        return binary;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public void flushAll() {
        try {
            call("FLUSHALL");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the server (SIGKILL) and waits until it is gone: clients see connection refused. */
    public void stop() {
        if (process != null) {
            process.destroyForcibly();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("redis-server did not die");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** Stops (if running) and starts again on the same port, with an empty data set. */
    public void restart() {
        stop();
        IOException last = null;
        for (int attempt = 0; attempt < 50; attempt++) { // the port may linger briefly
            try {
                launch();
                return;
            } catch (IOException e) {
                last = e;
                sleep(100);
            }
        }
        throw new UncheckedIOException("could not restart redis-server on port " + port, last);
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Sends one command over a fresh connection and returns the reply: String (simple or bulk, null for nil),
     * Long, or List; an error reply throws IllegalStateException.
     */
    public Object call(String... args) throws IOException {
        try (Socket s = connect()) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            String[] auth = adminAuth();
            if (auth != null) {
                out.write(Resp.frame(auth));
            }
            out.write(Resp.frame(args));
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            if (auth != null) {
                Resp.readReply(in); // +OK, or an error reply that throws
            }
            return Resp.readReply(in);
        }
    }

    /** A plain socket, or for a TLS server a TLS socket trusting the test CA and showing the client certificate. */
    private Socket connect() throws IOException {
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        Socket plain = new Socket();
        try {
            plain.connect(at, 1000);
            if (security.tls() == null) {
                return plain;
            }
            plain.setSoTimeout(10_000);
            SSLSocket tls = (SSLSocket) security.tls()
                    .clientContext()
                    .getSocketFactory()
                    .createSocket(plain, at.getHostString(), port, true);
            tls.startHandshake();
            return tls;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private String[] adminAuth() {
        if (security.user() != null) {
            return new String[] {"AUTH", ADMIN_USER, ADMIN_PASSWORD};
        }
        return security.requirePass() != null ? new String[] {"AUTH", security.requirePass()} : null;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

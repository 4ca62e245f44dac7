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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 */
public final class RedisServerFixture implements AutoCloseable {

    private final Path binary;
    private final int port;
    private final List<String> extraArgs;
    private final Path log;
    private volatile Process process;

    private RedisServerFixture(Path binary, int port, List<String> extraArgs) throws IOException {
        this.binary = binary;
        this.port = port;
        this.extraArgs = extraArgs;
        this.log = Files.createTempFile("redis-fixture-" + port + "-", ".log");
        this.log.toFile().deleteOnExit();
        // never leave a redis-server behind, even if the test JVM exits without close()
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Process p = process;
            if (p != null) {
                p.destroyForcibly();
            }
        }, "redis-fixture-" + port));
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
        Path bin = findBinary();
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                int port = freePort();
                List<String> args = extraArgs.stream().map(a -> a.replace("{port}", Integer.toString(port))).toList();
                RedisServerFixture f = new RedisServerFixture(bin, port, args);
                f.launch();
                return f;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new UncheckedIOException("could not start redis-server " + bin, last);
    }

    /** Which binary start() uses. */
    public static Path findBinary() {
        String override = System.getProperty("modseq.redis.server", "");
        if (!override.isBlank() && !override.equals("embedded")) {
            return Path.of(override);
        }
        if (override.isBlank()) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    Path p = Path.of(dir, "redis-server");
                    if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                        return p;
                    }
                }
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
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"));
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

    /** {@code redis://127.0.0.1:<port>} */
    public String uri() {
        return "redis://127.0.0.1:" + port;
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
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            StringBuilder cmd = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                byte[] b = a.getBytes(StandardCharsets.UTF_8);
                cmd.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
            }
            out.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readReply(new BufferedInputStream(s.getInputStream()));
        }
    }

    private static Object readReply(InputStream in) throws IOException {
        int type = in.read();
        String line = readLine(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IllegalStateException(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(n + 2);
                return new String(b, 0, n, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(readReply(in));
                }
                return items;
            }
            default:
                throw new IOException("unexpected reply type " + type);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            sb.append((char) c);
        }
        in.read(); // '\n'
        return sb.toString();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

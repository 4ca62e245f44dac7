package org.modseqproxy.interop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Debian's HAProxy on loopback, in TCP mode, balancing round robin over the given servers and announcing each
 * client to them with a PROXY protocol version 2 header ({@code send-proxy-v2}), as an operator deploys it in front
 * of several proxy instances. Runs in the foreground as this test's child and is stopped with it.
 */
final class HaproxyBalancer implements AutoCloseable {
    static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

    private final Process process;
    private final int port;
    private final Path dir;

    private HaproxyBalancer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    static Optional<String> missing() {
        return Files.isExecutable(HAPROXY)
                ? Optional.empty()
                : Optional.of("HAProxy not installed (no " + HAPROXY + "): " + BackendInstall.INSTALL_HINT);
    }

    /** Starts HAProxy in front of {@code servers} (loopback ports); waits until its frontend accepts. */
    static HaproxyBalancer start(List<Integer> servers) throws IOException {
        Path dir = Files.createTempDirectory("haproxy-");
        int port = LoopbackPorts.free();
        String backends = servers.stream()
                .map(p -> "  server s" + p + " " + LoopbackPorts.HOST + ":" + p + " send-proxy-v2\n")
                .collect(Collectors.joining());
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, """
                global
                  maxconn 256
                defaults
                  mode tcp
                  timeout connect 5s
                  timeout client 120s
                  timeout server 120s
                frontend imap
                  bind %s:%d
                  default_backend proxies
                backend proxies
                  balance roundrobin
                %s""".formatted(LoopbackPorts.HOST, port, backends));
        Process p = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", cfg.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile())
                .start();
        HaproxyBalancer balancer = new HaproxyBalancer(p, port, dir);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(LoopbackPorts.HOST, port), 1000);
                return balancer; // a bare TCP probe: HAProxy opens no server connection before data, harmless
            } catch (IOException notYet) {
                if (!p.isAlive() || Instant.now().isAfter(deadline)) {
                    String log = balancer.log();
                    balancer.close();
                    throw new IOException("HAProxy did not start: " + log);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        }
    }

    int port() {
        return port;
    }

    String log() {
        try {
            return Files.readString(dir.resolve("haproxy.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

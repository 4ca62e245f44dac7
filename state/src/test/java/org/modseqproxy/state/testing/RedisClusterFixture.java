package org.modseqproxy.state.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A three-master Redis Cluster of real {@code redis-server} processes on free loopback ports (no replicas), for
 * tests that must prove the store's scripts stay within one slot. {@link #uri()} is the store spec
 * {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}.
 */
public final class RedisClusterFixture implements AutoCloseable {

    private static final int SLOTS = 16384;
    private final List<RedisServerFixture> nodes = new ArrayList<>();
    private final Path dir;

    private RedisClusterFixture(Path dir) {
        this.dir = dir;
    }

    public static RedisClusterFixture start() {
        try {
            Path dir = Files.createTempDirectory("redis-cluster-fixture");
            dir.toFile().deleteOnExit();
            RedisClusterFixture c = new RedisClusterFixture(dir);
            try {
                c.form();
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void form() throws IOException {
        for (int i = 0; i < 3; i++) {
            nodes.add(RedisServerFixture.start(List.of("--cluster-enabled", "yes",
                    "--cluster-config-file", dir.resolve("nodes-{port}.conf").toString(),
                    "--cluster-node-timeout", "5000", "--dir", dir.toString())));
        }
        // three masters, slots split evenly
        for (int i = 0; i < 3; i++) {
            int from = i * SLOTS / 3;
            int to = (i + 1) * SLOTS / 3;
            List<String> cmd = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
            for (int slot = from; slot < to; slot++) {
                cmd.add(Integer.toString(slot));
            }
            nodes.get(i).call(cmd.toArray(new String[0]));
        }
        for (int i = 1; i < 3; i++) {
            nodes.get(0).call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(nodes.get(i).port()));
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            for (RedisServerFixture n : nodes) {
                String info = (String) n.call("CLUSTER", "INFO");
                ok &= info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3");
            }
            if (ok) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        throw new IOException("cluster did not reach cluster_state:ok");
    }

    public List<RedisServerFixture> nodes() {
        return List.copyOf(nodes);
    }

    public String uri() {
        return "redis-cluster://" + nodes.stream().map(n -> "127.0.0.1:" + n.port()).collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        nodes.forEach(RedisServerFixture::close);
        try (var files = Files.list(dir)) {
            files.forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // temp dir cleanup is best effort
        }
        dir.toFile().delete();
    }
}

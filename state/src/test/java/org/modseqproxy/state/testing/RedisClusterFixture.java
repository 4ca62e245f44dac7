package org.modseqproxy.state.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A three-master Redis Cluster of real {@code redis-server} processes on free loopback ports, for tests that must
 * prove the store's scripts stay within one slot. {@link #uri()} is the store spec
 * {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}. It is formed with the commands
 * {@code redis-cli --cluster create} would send (ADDSLOTS, MEET, REPLICATE), through the nodes' own fixtures.
 *
 * <p>{@link #start(RedisSecurity, int)} secures every node the same way: with TLS the client port, the cluster bus
 * ({@code --tls-cluster}) and replication ({@code --tls-replication}) are all TLS, and replicas log in to their
 * masters as the fixture's admin user ({@code --masteruser}/{@code --masterauth}) or with the requirepass.
 */
public final class RedisClusterFixture implements AutoCloseable {

    private static final int SLOTS = 16384;
    private final List<RedisServerFixture> nodes = new ArrayList<>();
    private final List<RedisServerFixture> replicas = new ArrayList<>();
    private final Path dir;
    private final RedisSecurity security;
    private final Duration nodeTimeout;
    private int replicasPerMaster;

    private RedisClusterFixture(Path dir, RedisSecurity security, Duration nodeTimeout) {
        this.dir = dir;
        this.security = security;
        this.nodeTimeout = nodeTimeout;
    }

    /** Three masters, no replicas, no TLS, no password. */
    public static RedisClusterFixture start() {
        return start(RedisSecurity.NONE, 0);
    }

    /** Three masters with {@code replicasPerMaster} replicas each, every node secured by {@code security}. */
    public static RedisClusterFixture start(RedisSecurity security, int replicasPerMaster) {
        return start(security, replicasPerMaster, Duration.ofSeconds(5));
    }

    /**
     * Three masters with one replica each and a 1 s node timeout, so that {@link #killMaster} promotes the replica
     * within a few seconds (failover tests).
     */
    public static RedisClusterFixture startForFailover() {
        return start(RedisSecurity.NONE, 1, Duration.ofSeconds(1));
    }

    private static RedisClusterFixture start(RedisSecurity security, int replicasPerMaster, Duration nodeTimeout) {
        try {
            Path dir = Files.createTempDirectory("redis-cluster-fixture");
            dir.toFile().deleteOnExit();
            RedisClusterFixture c = new RedisClusterFixture(dir, security, nodeTimeout);
            try {
                c.form(replicasPerMaster);
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RedisServerFixture node() {
        List<String> args = new ArrayList<>(List.of(
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                dir.resolve("nodes-{port}.conf").toString(),
                "--cluster-node-timeout",
                Long.toString(nodeTimeout.toMillis()),
                // a replica may take over however long its link was down (killing the master is the point)
                "--cluster-replica-validity-factor",
                "0",
                "--dir",
                dir.toString()));
        if (security.tls() != null) {
            // the bus port is then the TLS port + 10000 (RedisServerFixture picks ports with that one free too)
            args.addAll(List.of("--tls-cluster", "yes", "--tls-replication", "yes"));
        }
        if (security.user() != null) {
            args.addAll(List.of(
                    "--masteruser", RedisServerFixture.ADMIN_USER, "--masterauth", RedisServerFixture.ADMIN_PASSWORD));
        } else if (security.requirePass() != null) {
            args.addAll(List.of("--masterauth", security.requirePass()));
        }
        return RedisServerFixture.start(security, args);
    }

    private void form(int replicasPerMaster) throws IOException {
        this.replicasPerMaster = replicasPerMaster;
        for (int i = 0; i < 3; i++) {
            nodes.add(node());
            for (int r = 0; r < replicasPerMaster; r++) {
                replicas.add(node());
            }
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
        List<RedisServerFixture> all = new ArrayList<>(nodes);
        all.addAll(replicas);
        for (RedisServerFixture n : all.subList(1, all.size())) {
            nodes.get(0).call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(n.port()));
        }
        String known = "cluster_known_nodes:" + all.size();
        await("every node knows every other", () -> {
            for (RedisServerFixture n : all) {
                if (!((String) n.call("CLUSTER", "INFO")).contains(known)) {
                    return false;
                }
            }
            return true;
        });
        for (int i = 0; i < replicas.size(); i++) {
            String masterId = (String) nodes.get(i / replicasPerMaster).call("CLUSTER", "MYID");
            RedisServerFixture r = replicas.get(i);
            // a replica must have heard of its master through gossip before it can replicate it
            await("replica knows its master", () -> ((String) r.call("CLUSTER", "NODES")).contains(masterId));
            r.call("CLUSTER", "REPLICATE", masterId);
        }
        await("cluster_state:ok, replicas in sync", () -> {
            for (RedisServerFixture n : all) {
                if (!((String) n.call("CLUSTER", "INFO")).contains("cluster_state:ok")) {
                    return false;
                }
            }
            for (RedisServerFixture r : replicas) {
                if (!((String) r.call("INFO", "replication")).contains("master_link_status:up")) {
                    return false;
                }
            }
            return true;
        });
    }

    private interface Check {
        boolean ok() throws IOException;
    }

    private static void await(String what, Check check) throws IOException {
        await(what, Duration.ofSeconds(30), check);
    }

    private static void await(String what, Duration max, Check check) throws IOException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (check.ok()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        throw new IOException("cluster: timed out waiting for: " + what);
    }

    /** The masters (the seed nodes of {@link #uri()}). */
    public List<RedisServerFixture> nodes() {
        return List.copyOf(nodes);
    }

    /** Replicas, those of master 0 first. */
    public List<RedisServerFixture> replicas() {
        return List.copyOf(replicas);
    }

    /**
     * {@code redis-cluster://127.0.0.1:p1,...}; secured: {@code rediss-cluster://} and the application's login, e.g.
     * {@code rediss-cluster://alice:secret@127.0.0.1:p1,...}.
     */
    public String uri() {
        return (security.tls() == null ? "redis-cluster://" : "rediss-cluster://")
                + security.userInfo()
                + nodes.stream().map(n -> "127.0.0.1:" + n.port()).collect(Collectors.joining(","));
    }

    /** Index (0..2) of the master serving the key's slot. */
    public int masterOf(String key) throws IOException {
        long slot = (Long) nodes.get(0).call("CLUSTER", "KEYSLOT", key);
        return (int) (slot * 3 / SLOTS);
    }

    /** SIGKILLs master i. */
    public void killMaster(int i) {
        nodes.get(i).stop();
    }

    /** Waits until the (first) replica of master i has been promoted and the cluster is ok again. */
    public void awaitFailover(int i, Duration max) throws IOException {
        if (replicasPerMaster == 0) {
            throw new IllegalStateException("no replica to promote");
        }
        RedisServerFixture r = replicas.get(i * replicasPerMaster);
        await(
                "replica of master " + i + " promoted",
                max,
                () -> ((String) r.call("INFO", "replication")).contains("role:master")
                        && ((String) r.call("CLUSTER", "INFO")).contains("cluster_state:ok"));
    }

    @Override
    public void close() {
        nodes.forEach(RedisServerFixture::close);
        replicas.forEach(RedisServerFixture::close);
        try (var files = Files.list(dir)) {
            files.forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // temp dir cleanup is best effort
        }
        dir.toFile().delete();
    }
}

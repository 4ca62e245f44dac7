package org.modseqproxy.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.modseqproxy.state.testing.RedisServerFixture;

/**
 * A Redis Cluster of 3 masters, each with one replica (6 real {@code redis-server} processes on free loopback ports),
 * with a 1 s node timeout so that killing a master promotes its replica within a few seconds. Built with the same
 * commands {@code redis-cli --cluster create} sends (ADDSLOTS, MEET, REPLICATE), on top of {@link RedisServerFixture}.
 */
public final class RedisReplicatedCluster implements AutoCloseable {
  private static final int SLOTS = 16384;
  private final Path dir;
  private final List<RedisServerFixture> masters = new ArrayList<>();
  private final List<RedisServerFixture> replicas = new ArrayList<>();

  private RedisReplicatedCluster(Path dir) {
    this.dir = dir;
  }

  public static RedisReplicatedCluster start() {
    try {
      RedisReplicatedCluster c = new RedisReplicatedCluster(Files.createTempDirectory("redis-replicated-cluster"));
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

  private RedisServerFixture node() {
    return RedisServerFixture.start(List.of("--cluster-enabled", "yes",
        "--cluster-config-file", dir.resolve("nodes-{port}.conf").toString(),
        "--cluster-node-timeout", "1000", "--cluster-replica-validity-factor", "0", "--dir", dir.toString()));
  }

  private void form() throws IOException {
    for (int i = 0; i < 3; i++) {
      masters.add(node());
      replicas.add(node());
    }
    for (int i = 0; i < 3; i++) {
      List<String> cmd = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
      for (int slot = i * SLOTS / 3; slot < (i + 1) * SLOTS / 3; slot++) {
        cmd.add(Integer.toString(slot));
      }
      masters.get(i).call(cmd.toArray(new String[0]));
    }
    RedisServerFixture first = masters.get(0);
    for (RedisServerFixture n : all()) {
      if (n != first) {
        first.call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(n.port()));
      }
    }
    await("all nodes know each other", () -> all().stream().allMatch(n -> info(n).contains("cluster_known_nodes:6")));
    for (int i = 0; i < 3; i++) {
      String masterId = (String) masters.get(i).call("CLUSTER", "MYID");
      RedisServerFixture r = replicas.get(i);
      // the replica must have seen the master's node id through gossip before it can replicate it
      await("replica " + i + " knows its master", () -> ((String) r.call("CLUSTER", "NODES")).contains(masterId));
      r.call("CLUSTER", "REPLICATE", masterId);
    }
    await("cluster ok with 3 replicas in sync", () -> {
      for (RedisServerFixture n : all()) {
        if (!info(n).contains("cluster_state:ok")) {
          return false;
        }
      }
      for (RedisServerFixture r : replicas) {
        String repl = (String) r.call("INFO", "replication");
        if (!repl.contains("role:slave") || !repl.contains("master_link_status:up")) {
          return false;
        }
      }
      return true;
    });
  }

  private List<RedisServerFixture> all() {
    List<RedisServerFixture> a = new ArrayList<>(masters);
    a.addAll(replicas);
    return a;
  }

  private static String info(RedisServerFixture n) {
    try {
      return (String) n.call("CLUSTER", "INFO");
    } catch (IOException e) {
      return "";
    }
  }

  interface Check {
    boolean ok() throws IOException;
  }

  private static void await(String what, Check check) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
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
    throw new IOException("redis cluster: timed out waiting until " + what);
  }

  /** Store spec with every node as a seed: {@code redis-cluster://127.0.0.1:p1,...}. */
  public String uri() {
    return "redis-cluster://" + all().stream().map(n -> "127.0.0.1:" + n.port()).collect(Collectors.joining(","));
  }

  /** Index (0..2) of the master serving the key's slot. */
  public int masterOf(String key) throws IOException {
    long slot = (Long) masters.get(0).call("CLUSTER", "KEYSLOT", key);
    return (int) (slot * 3 / SLOTS);
  }

  public RedisServerFixture master(int i) {
    return masters.get(i);
  }

  public RedisServerFixture replica(int i) {
    return replicas.get(i);
  }

  /** SIGKILLs master i. */
  public void killMaster(int i) {
    masters.get(i).stop();
  }

  /** Waits until replica i has been promoted and the cluster is ok again. */
  public void awaitFailover(int i, Duration max) throws IOException {
    long deadline = System.nanoTime() + max.toNanos();
    RedisServerFixture r = replicas.get(i);
    while (System.nanoTime() < deadline) {
      String repl = (String) r.call("INFO", "replication");
      if (repl.contains("role:master") && info(r).contains("cluster_state:ok")) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IOException("replica " + i + " was not promoted within " + max);
  }

  @Override
  public void close() {
    all().forEach(RedisServerFixture::close);
    try (var files = Files.list(dir)) {
      files.forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
    dir.toFile().delete();
  }
}

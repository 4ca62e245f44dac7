package org.modseqproxy.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The proxy as an operator runs it: a child JVM executing {@code modseq-proxy run --backend H:P --listen H:P --state
 * SPEC}, so tests can send it real signals. By default the child runs the launcher from this test JVM's class path
 * (always the code under test, no packaging needed); {@code -Dmodseq.proxy.jar=path} runs {@code java -jar path run}
 * instead. Only this child is ever signalled, by its own PID ({@link Process#destroy()} is SIGTERM and
 * {@link Process#destroyForcibly()} SIGKILL on Linux).
 */
public final class ProxyJarProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private ProxyJarProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts {@code run} and waits until it greets on its port. {@code sets}: extra {@code key=value} config flags. */
  public static ProxyJarProcess start(int backendPort, String stateSpec, String... sets) {
    try {
      int port = freePort();
      Path log = Files.createTempFile("modseq-proxy-child-", ".log");
      log.toFile().deleteOnExit();
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
      String jar = System.getProperty("modseq.proxy.jar", "");
      if (!jar.isBlank()) {
        cmd.addAll(List.of("-jar", jar));
      } else {
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.modseqproxy.proxy.launcher.Main"));
      }
      cmd.addAll(List.of("run", "--backend", "127.0.0.1:" + backendPort, "--listen", "127.0.0.1:" + port,
          "--state", stateSpec));
      for (String s : sets) {
        cmd.addAll(List.of("--set", s));
      }
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      ProxyJarProcess pp = new ProxyJarProcess(p, port, log);
      Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "proxy-child-" + p.pid()));
      pp.awaitListening(Duration.ofSeconds(30));
      return pp;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitListening(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("proxy exited with " + process.exitValue() + ":\n" + log());
      }
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        s.setSoTimeout(5000);
        int b = s.getInputStream().read();
        if (b == '*') {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      sleep(100);
    }
    process.destroyForcibly();
    throw new IllegalStateException("proxy did not listen within " + max + ":\n" + log());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public RawImap connect() {
    return RawImap.connect("127.0.0.1", port);
  }

  /** SIGTERM (graceful shutdown). */
  public void terminate() {
    process.destroy();
  }

  /** SIGKILL, then waits for the process to be gone. */
  public void kill9() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(10));
  }

  /** Exit code, or null if still running after {@code max}. */
  public Integer waitFor(Duration max) {
    try {
      return process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** What the child printed so far (stdout and stderr). */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      waitFor(Duration.ofSeconds(10));
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException ignored) {
      // best effort
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

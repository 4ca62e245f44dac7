package org.modseqproxy.proxy.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The proxy alone in a child JVM (a {@link ProxyFixture} in front of a backend port), so memory figures are the
 * proxy's and nobody else's: GreenMail and the test's clients stay in the parent. The child answers one-line requests
 * on stdin: {@code MEM} gives its used heap after full GCs, its off-heap buffer bytes and its session count.
 */
public final class ProxyProcess implements AutoCloseable {
  /** One reading of the child's memory. */
  public record Memory(long heap, long direct, int sessions) {}

  private final Process process;
  private final PrintWriter commands;
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
  private final ArrayDeque<String> log = new ArrayDeque<>();
  private final int port;

  private ProxyProcess(Process process) {
    this.process = process;
    this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    Thread reader = new Thread(this::readOutput, "proxy-process-out");
    reader.setDaemon(true);
    reader.start();
    String portLine = reply("PORT");
    this.port = Integer.parseInt(portLine.substring(5).trim());
  }

  /** Starts a child JVM (same classpath as this one) running the proxy in front of 127.0.0.1:backendPort. */
  public static ProxyProcess start(int backendPort, String... jvmOptions) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(List.of(jvmOptions));
    cmd.addAll(List.of("-cp", classpath(), ProxyProcess.class.getName(), String.valueOf(backendPort)));
    try {
      return new ProxyProcess(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * This JVM's classpath. Under surefire that is java.class.path; under {@code mvn exec:java} the test classes live in
   * a URLClassLoader inside Maven's JVM, so its URLs are used instead.
   */
  private static String classpath() {
    List<String> entries = new ArrayList<>();
    if (ProxyProcess.class.getClassLoader() instanceof java.net.URLClassLoader ucl) {
      for (java.net.URL u : ucl.getURLs()) {
        try {
          entries.add(Path.of(u.toURI()).toString());
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
          // not a local file: skip
        }
      }
    }
    return entries.isEmpty()
        ? System.getProperty("java.class.path")
        : String.join(java.io.File.pathSeparator, entries);
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public Memory memory() {
    commands.println("MEM");
    String[] f = reply("MEM").split(" ");
    return new Memory(Long.parseLong(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]));
  }

  /** Live instances per class in the child ({@code jcmd GC.class_histogram}, which collects first): name -> bytes. */
  public java.util.Map<String, Long> classHistogram() {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    java.util.Map<String, Long> bytes = new java.util.HashMap<>();
    try {
      Process p = new ProcessBuilder(jcmd, String.valueOf(pid()), "GC.class_histogram").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(30, TimeUnit.SECONDS);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)").matcher(out);
      while (m.find()) {
        bytes.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return bytes;
  }

  private void readOutput() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("PORT ") || line.startsWith("MEM ")) {
          replies.add(line);
        } else {
          synchronized (log) {
            log.addLast(line);
            if (log.size() > 50) {
              log.removeFirst();
            }
          }
        }
      }
    } catch (IOException e) {
      // the child exited
    }
  }

  private String reply(String prefix) {
    try {
      String line = replies.poll(60, TimeUnit.SECONDS);
      if (line == null || !line.startsWith(prefix + " ")) {
        synchronized (log) {
          throw new IllegalStateException("proxy process did not answer " + prefix + "; last output: " + log);
        }
      }
      return line;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    commands.println("QUIT");
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** The child's side. */
  public static void main(String[] args) throws IOException {
    int backendPort = Integer.parseInt(args[0]);
    try (ProxyFixture proxy = ProxyFixture.start("127.0.0.1", backendPort)) {
      System.out.println("PORT " + proxy.port());
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null && !line.equals("QUIT")) {
        if (line.equals("MEM")) {
          long heap = HeapProbe.usedHeapAfterGc();
          System.out.println("MEM " + heap + " " + HeapProbe.directBytes() + " " + proxy.sessions());
        }
      }
    }
    System.exit(0);
  }
}

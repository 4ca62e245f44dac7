package org.modseqproxy.proxy.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A JVM a test starts as its own child process, the shared part of {@link ProxyProcess} and {@link ProxyJarProcess}:
 * stdout and stderr are read by a daemon thread (the child never blocks on a full pipe); lines the caller marks as
 * replies go to {@link #reply}, the others are kept (the last {@value #LOG_LINES}) for failure messages. Only this
 * child is ever signalled, by its own PID ({@link Process#destroy()} is SIGTERM and {@link Process#destroyForcibly()}
 * SIGKILL on Linux); a shutdown hook kills it if the test JVM exits first.
 */
final class ChildJvm implements AutoCloseable {
    private static final int LOG_LINES = 1000;

    private final Process process;
    private final PrintWriter stdin;
    private final Predicate<String> isReply;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final ArrayDeque<String> log = new ArrayDeque<>();
    private final Thread reader;
    private final Thread killOnExit;

    private ChildJvm(Process process, Predicate<String> isReply) {
        this.process = process;
        this.isReply = isReply;
        this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.reader = new Thread(this::readOutput, "child-jvm-out-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        this.killOnExit = new Thread(process::destroyForcibly, "child-jvm-kill-" + process.pid());
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts {@code java jvmOptions... launch...}; {@code launch} is {@link #mainClass} or {@code -jar path args}.
     * {@code isReply}: which output lines answer the caller (the rest is log).
     */
    static ChildJvm start(List<String> jvmOptions, List<String> launch, Predicate<String> isReply) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(launch);
        try {
            return new ChildJvm(
                    new ProcessBuilder(cmd).redirectErrorStream(true).start(), isReply);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code -cp <this JVM's class path> className args...}: the child runs the code under test, no packaging needed. */
    static List<String> mainClass(String className, String... args) {
        List<String> launch = new ArrayList<>(List.of("-cp", classpath(), className));
        launch.addAll(List.of(args));
        return launch;
    }

    /**
     * This JVM's classpath. Under surefire that is java.class.path; under {@code mvn exec:java} the test classes live in
     * a URLClassLoader inside Maven's JVM, so its URLs are used instead.
     */
    private static String classpath() {
        List<String> entries = new ArrayList<>();
        if (ChildJvm.class.getClassLoader() instanceof java.net.URLClassLoader ucl) {
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

    private void readOutput() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (isReply.test(line)) {
                    replies.add(line);
                } else {
                    synchronized (log) {
                        log.addLast(line);
                        if (log.size() > LOG_LINES) {
                            log.removeFirst();
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the child exited
        }
    }

    /** Writes one line to the child's stdin. */
    void send(String line) {
        stdin.println(line);
    }

    /** The next reply line, which must start with {@code prefix + " "}; fails with the child's log otherwise. */
    String reply(String prefix, Duration max) {
        try {
            String line = replies.poll(max.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null || !line.startsWith(prefix + " ")) {
                throw new IllegalStateException(
                        "child JVM did not answer " + prefix + " (got " + line + "); output:\n" + log());
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until an IMAP server in the child greets ({@code *}) on the loopback port. */
    void awaitGreeting(int port, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("child JVM exited with " + process.exitValue() + ":\n" + log());
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(5000);
                if (s.getInputStream().read() == '*') {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            sleep(100);
        }
        throw new IllegalStateException("child JVM did not listen on " + port + " within " + max + ":\n" + log());
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM. */
    void terminate() {
        process.destroy();
    }

    /** SIGKILL, then waits for the process to be gone. */
    void kill9() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(10));
    }

    /** Exit code, or null if still running after {@code max}. */
    Integer waitFor(Duration max) {
        try {
            return process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** What the child printed (stdout and stderr, reply lines left out); complete once it has exited. */
    String log() {
        if (!process.isAlive()) {
            try {
                reader.join(2000); // the last lines may still be in the pipe
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    /** Kills the child if it still runs (callers that can ask it to exit do so first). */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill9();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
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

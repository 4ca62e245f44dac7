package org.modseqproxy.proxy.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxy as an operator runs it: a child JVM executing {@code modseq-proxy run --backend H:P --listen H:P --state
 * SPEC}, so tests can send it real signals. By default the child runs the launcher from this test JVM's class path
 * (always the code under test, no packaging needed); {@code -Dmodseq.proxy.jar=path} runs {@code java -jar path run}
 * instead. Process handling (output, signals, stop) is {@link ChildJvm}'s.
 */
public final class ProxyJarProcess implements AutoCloseable {
    private final ChildJvm child;
    private final int port;

    private ProxyJarProcess(ChildJvm child, int port) {
        this.child = child;
        this.port = port;
    }

    /** Starts {@code run} and waits until it greets on its port. {@code sets}: extra {@code key=value} config flags. */
    public static ProxyJarProcess start(int backendPort, String stateSpec, String... sets) {
        return start(List.of(), backendPort, stateSpec, sets);
    }

    /** Like {@link #start(int, String, String...)} with more arguments first (e.g. {@code --config file}). */
    public static ProxyJarProcess start(List<String> more, int backendPort, String stateSpec, String... sets) {
        int port = Loopback.unusedPort();
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(more);
        args.addAll(List.of(
                "--backend", "127.0.0.1:" + backendPort, "--listen", "127.0.0.1:" + port, "--state", stateSpec));
        for (String s : sets) {
            args.addAll(List.of("--set", s));
        }
        String jar = System.getProperty("modseq.proxy.jar", "");
        List<String> launch = new ArrayList<>();
        if (jar.isBlank()) {
            launch.addAll(ChildJvm.mainClass("org.modseqproxy.proxy.launcher.Main", args.toArray(String[]::new)));
        } else {
            launch.addAll(List.of("-jar", jar));
            launch.addAll(args);
        }
        ChildJvm child = ChildJvm.start(
                List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), launch, line -> false);
        try {
            child.awaitGreeting(port, Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            child.close();
            throw e;
        }
        return new ProxyJarProcess(child, port);
    }

    public int port() {
        return port;
    }

    /** SIGHUP, as an operator's {@code kill -HUP} or {@code systemctl reload} sends it. */
    public void hangUp() {
        try {
            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid()))
                    .inheritIO()
                    .start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -HUP " + pid() + " failed");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public long pid() {
        return child.pid();
    }

    public RawImap connect() {
        return RawImap.connect("127.0.0.1", port);
    }

    /** SIGTERM (graceful shutdown). */
    public void terminate() {
        child.terminate();
    }

    /** SIGKILL, then waits for the process to be gone. */
    public void kill9() {
        child.kill9();
    }

    /** Exit code, or null if still running after {@code max}. */
    public Integer waitFor(Duration max) {
        return child.waitFor(max);
    }

    public boolean isAlive() {
        return child.isAlive();
    }

    /** What the child printed so far (stdout and stderr). */
    public String log() {
        return child.log();
    }

    @Override
    public void close() {
        child.close();
    }
}

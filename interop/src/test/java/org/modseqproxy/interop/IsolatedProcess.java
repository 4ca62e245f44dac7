package org.modseqproxy.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server run under PID 1 of its own PID and mount namespaces ({@code unshare} from util-linux).
 *
 * <p>Why: Courier and Dovecot fork many helpers (authdaemond, one imapd per connection, gam_server,
 * anvil, auth...). When PID 1 of a PID namespace exits, the kernel kills every process left in it,
 * so a stopped fixture leaves no strays, whatever the server did. Mounts made inside (Courier's
 * overlay on /etc) stay invisible to the rest of the machine.
 *
 * <p>PID 1 is a small sh script: it runs the setup lines, starts the server in the background,
 * then waits (which also reaps orphaned connection processes). A watchdog subshell stops the server
 * when the script's stdin reaches EOF: {@link #stop()} closes stdin, and so does the JVM dying.
 */
final class IsolatedProcess {

    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Process process;
    private final Path log;

    private IsolatedProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Writes {@code dir/run.sh} and starts it.
     *
     * @param setup shell lines run first, as root, inside the namespaces; a failing line aborts
     * @param server one shell command that stays in the foreground while the server runs
     */
    static IsolatedProcess start(Path dir, List<String> setup, String server) throws IOException {
        StringBuilder script = new StringBuilder("# PID 1 of a private PID + mount namespace (IsolatedProcess.java)\n");
        script.append("set -e\n");
        setup.forEach(line -> script.append(line).append('\n'));
        script.append("set +e\n");
        script.append(server).append(" &\n");
        script.append("server=$!\n");
        // Background jobs get /dev/null as stdin unless redirected explicitly: hand the pipe over on fd 3.
        script.append("exec 3<&0\n");
        script.append("( cat <&3 >/dev/null; kill -TERM \"$server\" 2>/dev/null ) &\n");
        script.append("wait \"$server\"\n");
        script.append("echo \"run.sh: server exited with status $?\"\n");
        Path runScript = dir.resolve("run.sh");
        Files.writeString(runScript, script);
        Path log = dir.resolve("process.log");
        Process process = new ProcessBuilder(
                        BackendInstall.UNSHARE.toString(),
                        "--mount",
                        "--pid",
                        "--fork",
                        "--kill-child",
                        "--propagation",
                        "private",
                        "/bin/sh",
                        runScript.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new IsolatedProcess(process, log);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** unshare, the namespace's PID 1 and everything below it, right now. */
    List<ProcessHandle> processTree() {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(process.toHandle());
        process.toHandle().descendants().forEach(tree::add);
        return tree;
    }

    /** What the script and the server printed so far. */
    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Waits until the server at host:port sends an IMAP greeting ({@code * OK}).
     *
     * @return false when the process exited first (e.g. the port was taken) or the timeout passed
     */
    boolean awaitGreeting(String host, int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), 500);
                socket.setSoTimeout(2000);
                String line = new BufferedReader(
                                new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                if (line != null && line.startsWith("* OK")) {
                    return true;
                }
            } catch (IOException notYet) {
                // Not listening yet: try again shortly.
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** Stops the server and everything it started; safe to call twice. */
    void stop() {
        try {
            process.getOutputStream().close(); // EOF for the watchdog: SIGTERM to the server
        } catch (IOException ignored) {
            // Already closed: the process is gone or going.
        }
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                // SIGKILL to unshare; --kill-child then kills PID 1, and the kernel the rest.
                process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

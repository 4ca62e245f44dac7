package org.modseqproxy.proxy.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The proxy alone in a child JVM (a {@link ProxyFixture} in front of a backend port), so memory figures are the
 * proxy's and nobody else's: GreenMail and the test's clients stay in the parent. The child answers one-line requests
 * on stdin: {@code MEM} gives its used heap after full GCs, its off-heap buffer bytes and its session count.
 */
public final class ProxyProcess implements AutoCloseable {
    /** One reading of the child's memory. */
    public record Memory(long heap, long direct, int sessions) {}

    private static final Duration ANSWER = Duration.ofSeconds(60);

    private final ChildJvm child;
    private final int port;

    private ProxyProcess(ChildJvm child) {
        this.child = child;
        String portLine = child.reply("PORT", ANSWER);
        this.port = Integer.parseInt(portLine.substring(5).trim());
    }

    /** Starts a child JVM (same classpath as this one) running the proxy in front of 127.0.0.1:backendPort. */
    public static ProxyProcess start(int backendPort, String... jvmOptions) {
        return startWithState(backendPort, "memory", jvmOptions);
    }

    /**
     * Same with {@code state.store} set to {@code stateSpec} (for example a test Redis's URI) and a 1 ms failed-login
     * delay, for soaks whose careless clients guess passwords.
     */
    public static ProxyProcess startWithState(int backendPort, String stateSpec, String... jvmOptions) {
        ChildJvm child = ChildJvm.start(
                List.of(jvmOptions),
                ChildJvm.mainClass(ProxyProcess.class.getName(), String.valueOf(backendPort), stateSpec),
                line -> line.startsWith("PORT ") || line.startsWith("MEM "));
        try {
            return new ProxyProcess(child);
        } catch (RuntimeException e) {
            child.close();
            throw e;
        }
    }

    public int port() {
        return port;
    }

    public long pid() {
        return child.pid();
    }

    public Memory memory() {
        child.send("MEM");
        String[] f = child.reply("MEM", ANSWER).split(" ");
        return new Memory(Long.parseLong(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]));
    }

    /** Live instances per class in the child ({@code jcmd GC.class_histogram}, which collects first): name -> bytes. */
    public java.util.Map<String, Long> classHistogram() {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        java.util.Map<String, Long> bytes = new java.util.HashMap<>();
        try {
            Process p = new ProcessBuilder(jcmd, String.valueOf(pid()), "GC.class_histogram")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)")
                    .matcher(out);
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

    /** Asks the child to quit, kills it if it has not within 10 s. */
    @Override
    public void close() {
        child.send("QUIT");
        child.waitFor(Duration.ofSeconds(10));
        child.close();
    }

    /** The child's side. */
    public static void main(String[] args) throws IOException {
        int backendPort = Integer.parseInt(args[0]);
        try (ProxyFixture proxy = args.length > 1 && !args[1].equals("memory")
                ? ProxyFixture.start("127.0.0.1", backendPort, args[1], c -> c.set("limits.loginFailureDelay", "1ms"))
                : ProxyFixture.start("127.0.0.1", backendPort)) {
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

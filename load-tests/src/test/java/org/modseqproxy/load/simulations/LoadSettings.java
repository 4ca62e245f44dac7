package org.modseqproxy.load.simulations;

import static io.gatling.javaapi.core.CoreDsl.global;
import static org.modseqproxy.load.imap.Imap.imap;

import io.gatling.javaapi.core.Assertion;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.modseqproxy.load.imap.ImapProtocolBuilder;

/**
 * What a run may vary, read once from system properties (passed with -D on the mvn command line), with
 * the limits every bundled simulation keeps: loopback target, at most 50 users, at most 60 seconds.
 *
 * <ul>
 *   <li>{@code imap.host} (127.0.0.1), {@code imap.port} (1143), {@code imap.tls} (false: plain;
 *       true: implicit TLS, point imap.port at the TLS listener)
 *   <li>{@code imap.user} / {@code imap.password} (demo / demo), fed to every virtual user
 *   <li>{@code load.users} (default per simulation, at most 50), {@code load.seconds} (at most 50; the
 *       ramp and the last scenarios finish inside a hard 60 s cap)
 *   <li>{@code load.maxKoPercent} (0): the share of KO requests the run tolerates before it fails (for a store
 *       known to drop sessions now and then; the demo does not).
 * </ul>
 */
record LoadSettings(
        String host, int port, boolean tls, String user, String password, int users, int seconds, double maxKoPercent) {

    static final int MAX_USERS = 50;
    static final int MAX_SECONDS = 50;
    /** Hard stop of every simulation, whatever the users are doing (RFC-free, just a budget). */
    static final Duration MAX_DURATION = Duration.ofSeconds(60);

    static LoadSettings fromSystemProperties(int defaultUsers, int defaultSeconds) {
        String host = System.getProperty("imap.host", "127.0.0.1");
        requireLoopback(host);
        int users = bounded("load.users", defaultUsers, MAX_USERS);
        int seconds = bounded("load.seconds", defaultSeconds, MAX_SECONDS);
        return new LoadSettings(
                host,
                Integer.parseInt(System.getProperty("imap.port", "1143")),
                Boolean.parseBoolean(System.getProperty("imap.tls", "false")),
                System.getProperty("imap.user", "demo"),
                System.getProperty("imap.password", "demo"),
                users,
                seconds,
                koPercent(System.getProperty("load.maxKoPercent", "0")));
    }

    /** The run's only assertion: no more KO requests than allowed (none by default). */
    Assertion koAssertion() {
        return maxKoPercent == 0
                ? global().failedRequests().count().is(0L)
                : global().failedRequests().percent().lte(maxKoPercent);
    }

    static double koPercent(String value) {
        double v = Double.parseDouble(value);
        if (!(v >= 0 && v <= 100)) {
            throw new IllegalArgumentException("load.maxKoPercent must be between 0 and 100, was " + value);
        }
        return v;
    }

    ImapProtocolBuilder protocol() {
        ImapProtocolBuilder protocol = imap().host(host)
                .port(port)
                .credentials("#{user}", "#{password}")
                .connectTimeout(Duration.ofSeconds(5))
                .commandTimeout(Duration.ofSeconds(15));
        return tls ? protocol.implicitTls() : protocol;
    }

    /** An endless feeder giving every virtual user the configured credentials. */
    Iterator<Map<String, Object>> credentials() {
        return Stream.generate(() -> Map.<String, Object>of("user", user, "password", password))
                .iterator();
    }

    static int bounded(String property, int defaultValue, int max) {
        int value = Integer.parseInt(System.getProperty(property, String.valueOf(defaultValue)));
        if (value < 1 || value > max) {
            throw new IllegalArgumentException(property + " must be between 1 and " + max + ", was " + value);
        }
        return value;
    }

    /** Only loopback targets, decided without any DNS lookup: localhost or a loopback IP literal. */
    static void requireLoopback(String host) {
        boolean ipLiteral = host.matches("[0-9.]+") || host.contains(":");
        boolean loopback;
        try {
            loopback = host.equalsIgnoreCase("localhost")
                    || (ipLiteral
                            && InetAddress.getByName(host).isLoopbackAddress()); // a literal is parsed, not resolved
        } catch (UnknownHostException e) {
            loopback = false;
        }
        if (!loopback) {
            throw new IllegalArgumentException(
                    "imap.host must be localhost or a loopback address such as 127.0.0.1 or ::1, was " + host);
        }
    }
}

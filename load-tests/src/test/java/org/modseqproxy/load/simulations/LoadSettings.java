package org.modseqproxy.load.simulations;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.csv;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.listFeeder;
import static io.gatling.javaapi.core.CoreDsl.rampConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static org.modseqproxy.load.imap.Imap.imap;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.FeederBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.modseqproxy.load.imap.ImapProtocolBuilder;

/**
 * What a run may vary, read once from system properties (passed with -D on the mvn command line). Defaults stay
 * small and on loopback (the demo); any host, any number of users and any duration may be given for a staging
 * server. Our own runs stay on loopback.
 *
 * <ul>
 *   <li>{@code imap.host} (127.0.0.1), {@code imap.port} (1143), {@code imap.tls} ({@code false}: plain;
 *       {@code true} or {@code implicit}: implicit TLS, point imap.port at the TLS listener; {@code starttls}),
 *       {@code imap.tlsVerify} (false: any certificate; true: chain and host name checked), {@code imap.trustPem}
 *       (PEM of the certificates to trust when verifying; default the JDK's authorities), {@code imap.auth}
 *       ({@code login}: LOGIN; {@code plain}: AUTHENTICATE PLAIN)
 *   <li>{@code imap.user} / {@code imap.password} (demo / demo), fed to every virtual user, or
 *       {@code load.usersCsv}: a CSV file with a header line {@code user,password}, fed round robin
 *   <li>{@code load.users} (default per simulation), {@code load.seconds} (default per simulation),
 *       {@code load.ramp} (5 s), {@code load.model} ({@code closed}: that many users at all times;
 *       {@code open}: that many arrivals over the ramp); the run stops at ramp + seconds + 60 s whatever happens
 *   <li>{@code load.maxKoPercent} (0): the share of KO requests the run tolerates before it fails (for a store
 *       known to drop sessions now and then; the demo does not).
 * </ul>
 */
record LoadSettings(
        String host,
        int port,
        String tls,
        boolean tlsVerify,
        String trustPem,
        String auth,
        String user,
        String password,
        String usersCsv,
        int users,
        int seconds,
        int rampSeconds,
        String model,
        double maxKoPercent) {

    static LoadSettings fromSystemProperties(int defaultUsers, int defaultSeconds) {
        return fromSystemProperties(defaultUsers, defaultSeconds, "closed");
    }

    static LoadSettings fromSystemProperties(int defaultUsers, int defaultSeconds, String defaultModel) {
        String model = System.getProperty("load.model", defaultModel);
        if (!model.equals("open") && !model.equals("closed")) {
            throw new IllegalArgumentException("load.model must be open or closed, was " + model);
        }
        String csv = readable("load.usersCsv");
        return new LoadSettings(
                System.getProperty("imap.host", "127.0.0.1"),
                Integer.parseInt(System.getProperty("imap.port", "1143")),
                oneOf("imap.tls", "false", "false", "true", "implicit", "starttls"),
                Boolean.parseBoolean(System.getProperty("imap.tlsVerify", "false")),
                readable("imap.trustPem"),
                oneOf("imap.auth", "login", "login", "plain"),
                System.getProperty("imap.user", "demo"),
                System.getProperty("imap.password", "demo"),
                csv,
                atLeastOne("load.users", defaultUsers),
                atLeastOne("load.seconds", defaultSeconds),
                atLeastOne("load.ramp", 5),
                model,
                koPercent(System.getProperty("load.maxKoPercent", "0")));
    }

    /** Hard stop of the run, whatever the users are doing. */
    Duration maxDuration() {
        return Duration.ofSeconds(rampSeconds + seconds + 60L);
    }

    /** The scenario injected as load.model says: closed keeps load.users busy, open lets them arrive over the ramp. */
    PopulationBuilder inject(ScenarioBuilder scenario) {
        return model.equals("closed")
                ? scenario.injectClosed(
                        rampConcurrentUsers(0).to(users).during(Duration.ofSeconds(rampSeconds)),
                        constantConcurrentUsers(users).during(Duration.ofSeconds(seconds)))
                : scenario.injectOpen(rampUsers(users).during(Duration.ofSeconds(rampSeconds)));
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
        protocol = switch (tls) {
            case "true", "implicit" -> protocol.implicitTls();
            case "starttls" -> protocol.startTls();
            default -> protocol;
        };
        if (tlsVerify) {
            protocol = trustPem == null ? protocol.verifyCertificates() : protocol.verifyCertificates(trustPem);
        }
        return auth.equals("plain") ? protocol.authenticatePlain() : protocol;
    }

    /** The property's value, which must be one of {@code allowed} (lower case). */
    static String oneOf(String property, String defaultValue, String... allowed) {
        String value = System.getProperty(property, defaultValue).trim().toLowerCase(java.util.Locale.ROOT);
        if (!List.of(allowed).contains(value)) {
            throw new IllegalArgumentException(property + " must be one of " + List.of(allowed) + ", was " + value);
        }
        return value;
    }

    /** A file named by the property, which must be readable; null when the property is not set. */
    static String readable(String property) {
        String file = System.getProperty(property, "");
        if (file.isBlank()) {
            return null;
        }
        if (!Files.isReadable(Path.of(file))) {
            throw new IllegalArgumentException(property + ": cannot read " + file);
        }
        return file;
    }

    /** The CSV of users (round robin), or an endless feeder giving every virtual user the configured credentials. */
    FeederBuilder<?> credentials() {
        if (usersCsv != null) {
            return csv(usersCsv).circular();
        }
        return listFeeder(List.of(Map.<String, Object>of("user", user, "password", password)))
                .circular();
    }

    static int atLeastOne(String property, int defaultValue) {
        int value = Integer.parseInt(System.getProperty(property, String.valueOf(defaultValue)));
        if (value < 1) {
            throw new IllegalArgumentException(property + " must be 1 or more, was " + value);
        }
        return value;
    }
}

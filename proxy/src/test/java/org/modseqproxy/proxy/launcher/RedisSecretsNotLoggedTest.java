package org.modseqproxy.proxy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyJarProcess;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.state.testing.RedisSecurity;
import org.modseqproxy.state.testing.RedisServerFixture;
import org.modseqproxy.state.testing.TestCertificates;

/**
 * {@code modseq-proxy run --state rediss://user:password@...} as an operator starts it (child JVM, its real logging
 * configuration): the password must appear nowhere in what the process prints or serves on /health, /ready and
 * /metrics, neither when Redis accepts it nor when Redis refuses it (then failures are logged, and they must name
 * the reason, WRONGPASS, without the secret).
 */
class RedisSecretsNotLoggedTest {
    static final TestCertificates CERTS = TestCertificates.loopback();
    GreenMailBackend backend;
    RedisServerFixture redis;
    ProxyJarProcess proxy;
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        backend = GreenMailBackend.withNoDelay();
        backend.deliver(backend.user("alice", "pw"), "m1", "body 1");
        redis = RedisServerFixture.start(RedisSecurity.tls(CERTS).withUser("modseq", "Right-Secret-9"));
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        redis.close();
        backend.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Runs the proxy with that password in the URI; returns the SELECT answer and everything served over HTTP. */
    private String runWith(String password, List<String> selectOut) throws Exception {
        int metricsPort = freePort();
        String spec = "rediss://modseq:" + password + "@127.0.0.1:" + redis.port();
        proxy = ProxyJarProcess.start(
                backend.port(),
                spec,
                "state.tls.caFile=" + CERTS.caFile(),
                "metrics.listen=127.0.0.1:" + metricsPort,
                "state.timeout=1s");
        Awaitility.await()
                .atMost(Duration.ofSeconds(15))
                .until(() -> proxy.log().contains("listening on"));
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            selectOut.addAll(c.command("s", "SELECT INBOX (CONDSTORE)"));
        }
        StringBuilder served = new StringBuilder();
        for (String path : List.of("/health", "/ready", "/metrics")) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            served.append(path)
                    .append(' ')
                    .append(r.statusCode())
                    .append('\n')
                    .append(r.body())
                    .append('\n');
        }
        // Killed rather than SIGTERMed: what matters here is what it printed, and the graceful path has its own tests.
        proxy.kill9();
        return served.toString();
    }

    @Test
    void acceptedPasswordIsNeitherLoggedNorServed() throws Exception {
        List<String> sel = new java.util.ArrayList<>();
        String served = runWith("Right-Secret-9", sel);
        assertThat(ImapLines.highestModSeq(sel)).isPositive();
        String log = proxy.log();
        assertThat(log).contains("state rediss://***@127.0.0.1:" + redis.port()).doesNotContain("Right-Secret-9");
        assertThat(served).contains("/ready 200").contains("\"store\":\"UP\"").doesNotContain("Right-Secret-9");
    }

    @Test
    void refusedPasswordIsNeitherLoggedNorServed() throws Exception {
        List<String> sel = new java.util.ArrayList<>();
        String served = runWith("Wrong-Secret-7", sel);
        assertThat(sel).anyMatch(l -> l.startsWith("* OK [NOMODSEQ]"));
        String log = proxy.log();
        assertThat(log)
                .contains("WRONGPASS")
                .contains("state rediss://***@127.0.0.1:" + redis.port())
                .doesNotContain("Wrong-Secret-7");
        assertThat(served)
                .contains("\"store\":\"DOWN\"")
                .contains("modseq_store_available")
                .doesNotContain("Wrong-Secret-7");
    }
}

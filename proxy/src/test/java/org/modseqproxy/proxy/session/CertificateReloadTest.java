package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.proxy.config.ConfigLoader;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.ProxyJarProcess;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * Issue 12: the proxy's certificates are swapped under running sessions (reload on demand as SIGHUP does it, a
 * file watch, and a real SIGHUP to the launched process), a bad new set keeps the old one, and several certificates
 * are chosen by SNI (RFC 6066 3). What a TLS client sees is the certificate it is handed on a new connection.
 */
class CertificateReloadTest {
    @TempDir
    Path dir;

    GreenMailBackend backend;
    ProxyFixture proxy;
    Path cert;
    Path key;
    final SelfSignedCertificate a = SelfSignedCertificate.create("localhost");
    final SelfSignedCertificate b = SelfSignedCertificate.create("localhost");

    @BeforeEach
    void start() throws IOException {
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("alice", "alicepw", 1);
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        install(a);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        backend.close();
    }

    private void install(SelfSignedCertificate c) throws IOException {
        // written beside and moved in, as certbot and Kubernetes secret updates do
        Path tmpCert = dir.resolve("cert.pem.new");
        Path tmpKey = dir.resolve("key.pem.new");
        Files.copy(Path.of(c.certificatePath()), tmpCert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of(c.privateKeyPath()), tmpKey, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmpKey, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmpCert, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void startProxy(String reloadCheck) {
        startProxy(reloadCheck, c -> {});
    }

    private void startProxy(String reloadCheck, java.util.function.Consumer<ConfigLoader> more) {
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), "memory", c -> {
            c.set("tls.cert", cert.toString())
                    .set("tls.key", key.toString())
                    .set("tls.reloadCheckInterval", reloadCheck);
            more.accept(c);
        });
    }

    static String fingerprint(SelfSignedCertificate c) throws Exception {
        String pem = Files.readString(Path.of(c.certificatePath()));
        X509Certificate x = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        return fingerprint(x);
    }

    static String fingerprint(X509Certificate x) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(x.getEncoded()));
    }

    /** The certificate a new implicit-TLS connection is handed, optionally asking for a server name. */
    static String presented(int port, String sni) throws Exception {
        try (SSLSocket s = (SSLSocket) RawImap.trustAll().getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            if (sni != null) {
                SSLParameters p = s.getSSLParameters();
                p.setServerNames(List.of(new SNIHostName(sni)));
                s.setSSLParameters(p);
            }
            s.startHandshake();
            return fingerprint((X509Certificate) s.getSession().getPeerCertificates()[0]);
        }
    }

    /** The certificate a STARTTLS upgrade (RFC 9051 6.2.1) is handed. */
    static String presentedAfterStartTls(int port) throws Exception {
        try (Socket plain = new Socket("127.0.0.1", port)) {
            plain.setSoTimeout(30_000);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(plain.getInputStream()));
            in.readLine();
            plain.getOutputStream().write("t STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("t OK");
            SSLSocket s =
                    (SSLSocket) RawImap.trustAll().getSocketFactory().createSocket(plain, "localhost", port, true);
            s.startHandshake();
            return fingerprint((X509Certificate) s.getSession().getPeerCertificates()[0]);
        }
    }

    private boolean reload() throws Exception {
        return proxy.proxy()
                .reloadCertificates()
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    private double reloads(String result) {
        var c = proxy.metrics()
                .registry()
                .find(MeterNames.TLS_RELOADS)
                .tag(MeterNames.TAG_RESULT, result)
                .counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aReloadReachesNewConnectionsOnBothListenersAndSparesOpenSessions() throws Exception {
        startProxy("0s");
        assertThat(presented(proxy.tlsPort(), null)).isEqualTo(fingerprint(a));
        assertThat(reload()).isFalse(); // nothing changed
        try (RawImap open = RawImap.connectTls("127.0.0.1", proxy.tlsPort()).login("alice", "alicepw")) {
            install(b);
            assertThat(reload()).isTrue();
            for (int i = 0; i < 4; i++) { // every listener instance (one per event loop) hands out the new one
                assertThat(presented(proxy.tlsPort(), null)).isEqualTo(fingerprint(b));
                assertThat(presentedAfterStartTls(proxy.port())).isEqualTo(fingerprint(b));
            }
            assertThat(open.ok("n", "NOOP")).startsWith("n OK"); // the session from before goes on
        }
        assertThat(reloads(MeterNames.RESULT_SUCCESS)).isEqualTo(1);
        double expiry = proxy.metrics()
                .registry()
                .find(MeterNames.TLS_NOT_AFTER)
                .gauge()
                .value();
        assertThat(expiry).isGreaterThan(System.currentTimeMillis() / 1000.0);
    }

    @Test
    void aBadNewSetKeepsTheOldOne() throws Exception {
        startProxy("0s");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(this::reload).hasMessageContaining(key.toString().replace("key.pem", "cert.pem"));
        assertThat(presented(proxy.tlsPort(), null)).isEqualTo(fingerprint(a));
        // b's certificate with a's key: parses, but would fail every handshake
        Files.copy(Path.of(b.certificatePath()), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of(a.privateKeyPath()), key, StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(this::reload).hasMessageContaining("the key does not belong to the certificate");
        assertThat(presented(proxy.tlsPort(), null)).isEqualTo(fingerprint(a));
        assertThat(presentedAfterStartTls(proxy.port())).isEqualTo(fingerprint(a));
        assertThat(reloads(MeterNames.RESULT_FAILURE)).isEqualTo(2);
        install(b);
        assertThat(reload()).isTrue();
        assertThat(presented(proxy.tlsPort(), null)).isEqualTo(fingerprint(b));
    }

    @Test
    void aChangedFileIsPickedUpByTheWatch() throws Exception {
        startProxy("100ms");
        install(b);
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(presented(proxy.tlsPort(), null)).isEqualTo(fingerprint(b)));
    }

    @Test
    void severalCertificatesAreChosenByServerName() throws Exception {
        SelfSignedCertificate other = SelfSignedCertificate.create("imap.example.org");
        startProxy("60s", c -> c.set("tls.certificates", other.certificatePath() + ":" + other.privateKeyPath()));
        assertThat(presented(proxy.tlsPort(), "imap.example.org")).isEqualTo(fingerprint(other));
        assertThat(presented(proxy.tlsPort(), "unknown.example.org")).isEqualTo(fingerprint(a));
        assertThat(presented(proxy.tlsPort(), null)).isEqualTo(fingerprint(a));
    }

    @Test
    void sighupToTheLaunchedProxyReloads() throws Exception {
        try (ProxyJarProcess p = ProxyJarProcess.start(
                backend.port(), "memory", "tls.cert=" + cert, "tls.key=" + key, "tls.reloadCheckInterval=0s")) {
            assertThat(presentedAfterStartTls(p.port())).isEqualTo(fingerprint(a));
            try (RawImap open = p.connect()) {
                open.login("alice", "alicepw");
                install(b);
                p.hangUp();
                Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .untilAsserted(() ->
                                assertThat(presentedAfterStartTls(p.port())).isEqualTo(fingerprint(b)));
                assertThat(open.ok("n", "NOOP")).startsWith("n OK");
                assertThat(p.isAlive()).isTrue();
            }
        }
    }
}

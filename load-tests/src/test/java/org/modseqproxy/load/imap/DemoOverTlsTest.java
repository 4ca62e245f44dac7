package org.modseqproxy.load.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load generator's TLS and SASL against the real product: the proxy's demo (its packaged jar, GreenMail
 * behind it, a self-signed certificate for "localhost") in a child JVM. STARTTLS and implicit TLS, the
 * certificate verified against the demo's own PEM or refused by the JDK's authorities, the host name checked,
 * AUTHENTICATE PLAIN accepted and refused, and the wire bytes counted.
 */
class DemoOverTlsTest {

    @TempDir
    static Path dataDir;

    private static Process demo;
    private static int plainPort;
    private static int tlsPort;
    private static EventLoopGroup group;
    private static EventLoop loop;

    @BeforeAll
    static void startDemo() throws Exception {
        Path jar = Path.of(System.getProperty("modseq.proxy.jar", "../proxy/target/modseq-proxy.jar"));
        assertThat(jar)
                .as("the proxy jar (build the proxy module first: mvn -DskipTests package)")
                .isRegularFile();
        plainPort = unusedPort();
        tlsPort = unusedPort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        demo = new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-jar",
                        jar.toString(),
                        "demo",
                        "--listen",
                        "127.0.0.1:" + plainPort,
                        "--tls-listen",
                        "127.0.0.1:" + tlsPort,
                        "--metrics-listen",
                        "127.0.0.1:" + unusedPort(),
                        "--messages",
                        "5",
                        "--data-dir",
                        dataDir.toString())
                .redirectErrorStream(true)
                .start();
        CompletableFuture<Void> up = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    System.out.println("[demo] " + line);
                    if (line.contains("modseq-proxy demo is up")) {
                        up.complete(null);
                    }
                }
                up.completeExceptionally(new IOException("the demo ended before it was up"));
            } catch (IOException e) {
                up.completeExceptionally(e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        up.get(90, TimeUnit.SECONDS);
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
    }

    @AfterAll
    static void stopDemo() throws Exception {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (demo != null) {
            demo.destroy();
            if (!demo.waitFor(30, TimeUnit.SECONDS)) {
                demo.destroyForcibly();
            }
        }
    }

    @Test
    void startTlsVerifiedAgainstTheDemosCertificateThenAuthenticatePlain() throws Exception {
        long inBefore = ImapTraffic.bytesIn();
        long outBefore = ImapTraffic.bytesOut();
        ImapConnection c = onLoop(() -> ImapConnection.open(endpoint("localhost", plainPort, true, demoPem()), loop));

        ImapReply caps = onLoop(() -> c.execute("CAPABILITY"));
        // RFC 9051 6.2.1: after STARTTLS the server no longer offers it, and now offers plaintext login.
        assertThat(caps.untagged().get(0)).contains("AUTH=PLAIN").doesNotContain("STARTTLS");

        ImapReply wrong = onLoop(() -> c.execute("AUTHENTICATE PLAIN", plain("demo", "nope")));
        assertThat(wrong.status()).isEqualTo(ImapStatus.NO);
        ImapReply auth = onLoop(() -> c.execute("AUTHENTICATE PLAIN", plain("demo", "demo")));
        assertThat(auth.status()).as(auth.tagged()).isEqualTo(ImapStatus.OK);
        ImapReply select = onLoop(() -> c.execute("SELECT INBOX"));
        assertThat(select.untagged()).contains("* 5 EXISTS");
        assertThat(onLoop(() -> c.execute("LOGOUT")).status()).isEqualTo(ImapStatus.OK);

        // The counter sees the wire: more than the plain text of this exchange (TLS records cost extra).
        long in = ImapTraffic.bytesIn() - inBefore;
        long out = ImapTraffic.bytesOut() - outBefore;
        long plainIn = caps.size() + wrong.size() + auth.size() + select.size();
        assertThat(in).isGreaterThan(plainIn);
        assertThat(out).isGreaterThan("G1 STARTTLS\r\n".length());
        assertThat(ImapTraffic.summary()).matches("IMAP traffic: \\d+ bytes in, \\d+ bytes out, \\d+ connections");
    }

    @Test
    void implicitTlsVerifiedWithTheJdkAuthoritiesRefusesTheSelfSignedDemo() {
        assertThatThrownBy(() -> onLoop(() -> ImapConnection.open(endpoint("localhost", tlsPort, false, null), loop)))
                .hasCauseInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void aTrustedCertificateForAnotherNameIsRefused() {
        // The demo's certificate names "localhost"; 127.0.0.1 is not in it, so host name verification refuses.
        assertThatThrownBy(
                        () -> onLoop(() -> ImapConnection.open(endpoint("127.0.0.1", tlsPort, false, demoPem()), loop)))
                .hasCauseInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void implicitTlsWithoutVerificationWorks() throws Exception {
        ImapConnection c = onLoop(() -> ImapConnection.open(unverified(tlsPort), loop));
        ImapReply auth = onLoop(() -> c.execute("AUTHENTICATE PLAIN", plain("demo", "demo")));
        assertThat(auth.status()).isEqualTo(ImapStatus.OK);
        assertThat(onLoop(() -> c.execute("LOGOUT")).status()).isEqualTo(ImapStatus.OK);
    }

    /** The demo keeps its self-signed certificate in its data directory (DemoCertificate). */
    private static String demoPem() {
        return dataDir.resolve("demo-cert.pem").toString();
    }

    private static ImapConnection.Endpoint endpoint(String host, int port, boolean startTls, String pem) {
        ImapProtocolBuilder builder = Imap.imap().host(host).port(port);
        builder = startTls ? builder.startTls() : builder.implicitTls();
        builder = pem == null ? builder.verifyCertificates() : builder.verifyCertificates(pem);
        return endpoint((ImapProtocol) builder.protocol(), startTls);
    }

    private static ImapConnection.Endpoint unverified(int port) {
        return endpoint((ImapProtocol) Imap.imap().port(port).implicitTls().protocol(), false);
    }

    private static ImapConnection.Endpoint endpoint(ImapProtocol protocol, boolean startTls) {
        return new ImapConnection.Endpoint(
                protocol.host(),
                protocol.port(),
                ImapComponents.clientTls(protocol),
                startTls,
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                1 << 20,
                NioSocketChannel::new);
    }

    private static String plain(String user, String password) {
        return java.util.Base64.getEncoder()
                .encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static <T> T onLoop(Supplier<CompletableFuture<T>> action) throws Exception {
        return OnLoop.run(loop, action);
    }
}

package org.modseqproxy.state.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway private CA with a server certificate (for redis-server) and a client certificate (for mutual TLS), as
 * PEM files in a temporary directory. Made with the JDK's own {@code keytool} (its {@code -signer} option issues a
 * certificate from another key of the same keystore), so tests need nothing beyond JDK + Maven; the private keys are
 * written as unencrypted PKCS#8 PEM, which both OpenSSL (redis-server) and Netty (Lettuce) read.
 *
 * <pre>
 * TestCertificates certs = TestCertificates.loopback();   // server certificate for IP 127.0.0.1
 * certs.caFile(); certs.serverCertFile(); certs.serverKeyFile(); certs.clientCertFile(); certs.clientKeyFile();
 * </pre>
 */
public final class TestCertificates {

    private static final String STORE_PASSWORD = "throwaway";
    private static TestCertificates loopback; // guarded by TestCertificates.class

    private final Path dir;
    private final KeyStore keyStore;
    private SSLContext clientContext; // guarded by this

    private TestCertificates(Path dir, KeyStore keyStore) {
        this.dir = dir;
        this.keyStore = keyStore;
    }

    /** One set per test JVM whose server certificate names {@code IP:127.0.0.1} (made on first use, ~2 s). */
    public static synchronized TestCertificates loopback() {
        if (loopback == null) {
            loopback = create("ip:127.0.0.1");
        }
        return loopback;
    }

    /**
     * A new CA and certificates. {@code serverNames}: keytool SAN entries for the server certificate, e.g.
     * {@code ip:127.0.0.1} or {@code dns:redis.example}.
     */
    public static TestCertificates create(String... serverNames) {
        try {
            Path dir = Files.createTempDirectory("modseq-test-ca");
            dir.toFile().deleteOnExit(); // registered first: deleted last, after the files in it
            Path p12 = dir.resolve("all.p12");
            p12.toFile().deleteOnExit();
            keytool(
                    dir,
                    "-genkeypair",
                    "-keystore",
                    p12.toString(),
                    "-storetype",
                    "PKCS12",
                    "-alias",
                    "ca",
                    "-dname",
                    "CN=modseq throwaway test CA " + dir.getFileName(),
                    "-ext",
                    "bc:c=ca:true");
            keytool(
                    dir,
                    "-genkeypair",
                    "-keystore",
                    p12.toString(),
                    "-alias",
                    "server",
                    "-dname",
                    "CN=redis test server",
                    "-signer",
                    "ca",
                    "-ext",
                    "san=" + String.join(",", serverNames));
            keytool(
                    dir,
                    "-genkeypair",
                    "-keystore",
                    p12.toString(),
                    "-alias",
                    "client",
                    "-dname",
                    "CN=modseq-proxy test client",
                    "-signer",
                    "ca");
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                ks.load(in, STORE_PASSWORD.toCharArray());
            }
            TestCertificates certs = new TestCertificates(dir, ks);
            certs.writeCert("ca", "ca.pem");
            certs.writeCert("server", "server.pem");
            certs.writeKey("server", "server.key");
            certs.writeCert("client", "client.pem");
            certs.writeKey("client", "client.key");
            return certs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void keytool(Path dir, String... args) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> cmd = new ArrayList<>(List.of(keytool.toString()));
        cmd.addAll(List.of(args));
        // EC P-256: fast to generate, and every TLS stack here accepts it. Valid from now for two days.
        cmd.addAll(List.of(
                "-storepass",
                STORE_PASSWORD,
                "-keypass",
                STORE_PASSWORD,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                "2",
                "-noprompt"));
        Path out = dir.resolve("keytool.log");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool failed: " + cmd + "\n" + Files.readString(out));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private void writeCert(String alias, String file) throws GeneralSecurityException, IOException {
        write(file, "CERTIFICATE", keyStore.getCertificate(alias).getEncoded());
    }

    private void writeKey(String alias, String file) throws GeneralSecurityException, IOException {
        Key key = keyStore.getKey(alias, STORE_PASSWORD.toCharArray());
        write(file, "PRIVATE KEY", key.getEncoded()); // PKCS#8
    }

    private void write(String file, String type, byte[] der) throws IOException {
        String pem = "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
        Path f = dir.resolve(file);
        Files.writeString(f, pem, StandardCharsets.US_ASCII);
        f.toFile().deleteOnExit();
    }

    /** The CA certificate (PEM): what a client must trust. */
    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    public Path serverCertFile() {
        return dir.resolve("server.pem");
    }

    public Path serverKeyFile() {
        return dir.resolve("server.key");
    }

    public Path clientCertFile() {
        return dir.resolve("client.pem");
    }

    public Path clientKeyFile() {
        return dir.resolve("client.key");
    }

    /** A JDK client context that trusts this CA and presents the client certificate (for fixtures' own calls). */
    public synchronized SSLContext clientContext() {
        if (clientContext != null) {
            return clientContext;
        }
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", keyStore.getCertificate("ca"));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyStore mine = KeyStore.getInstance("PKCS12");
            mine.load(null, null);
            char[] pw = STORE_PASSWORD.toCharArray();
            mine.setKeyEntry("client", keyStore.getKey("client", pw), pw, new Certificate[] {
                keyStore.getCertificate("client"), keyStore.getCertificate("ca")
            });
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(mine, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            clientContext = ctx;
            return ctx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

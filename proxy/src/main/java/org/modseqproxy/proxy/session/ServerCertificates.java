package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import org.modseqproxy.metrics.ProxyMetrics;
import org.modseqproxy.proxy.config.ProxyConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's own TLS certificates (tls.cert/tls.key first, the default, then tls.certificates), chosen by SNI
 * (RFC 6066 3) when there are several, and replaced at runtime without dropping a session: on SIGHUP and when a
 * file changes (checked every tls.reloadCheckInterval). A new set is used only if every pair parses and each key
 * signs what its certificate verifies; otherwise the old set stays and the log says why.
 */
public final class ServerCertificates {
    private static final Logger LOG = LoggerFactory.getLogger(ServerCertificates.class);

    private final Vertx vertx;
    private final List<ProxyConfig.CertKey> pairs;
    private final ProxyMetrics metrics;
    private final List<NetServer> servers = new CopyOnWriteArrayList<>();
    private volatile ServerSSLOptions current;
    private volatile long notAfterEpochSecond;
    private List<byte[]> loaded = List.of();
    private List<byte[]> lastRejected = List.of();

    private ServerCertificates(Vertx vertx, List<ProxyConfig.CertKey> pairs, ProxyMetrics metrics) {
        this.vertx = vertx;
        this.pairs = List.copyOf(pairs);
        this.metrics = metrics;
    }

    /** Loads the configured pairs at start (blocking: nothing is served yet); null when no certificate is set. */
    public static ServerCertificates load(Vertx vertx, ProxyConfig.Tls tls, ProxyMetrics metrics) throws IOException {
        if (tls.pairs().isEmpty()) {
            return null;
        }
        ServerCertificates c = new ServerCertificates(vertx, tls.pairs(), metrics);
        List<byte[]> files = c.read();
        try {
            c.install(files, c.validate(files));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        metrics.setTlsNotAfter(() -> c.notAfterEpochSecond);
        return c;
    }

    /** What STARTTLS and new implicit-TLS connections use now. */
    public ServerSSLOptions current() {
        return current;
    }

    public boolean sni() {
        return pairs.size() > 1;
    }

    /** An implicit-TLS listener to update on every reload. */
    void register(NetServer server) {
        servers.add(server);
    }

    /** Checks the files every {@code interval} (0: never; SIGHUP still reloads). */
    public void watch(Duration interval) {
        if (!interval.isZero()) {
            vertx.setPeriodic(interval.toMillis(), id -> reload());
        }
    }

    /**
     * Reads the files again (off the event loop) and switches to them when they changed and are valid. Succeeds with
     * true when switched, false when nothing changed; fails with the reason when the new files are refused.
     */
    public Future<Boolean> reload() {
        return vertx.<Boolean>executeBlocking(() -> {
                    List<byte[]> files = read();
                    synchronized (this) {
                        if (same(files, loaded) || same(files, lastRejected)) {
                            return false; // a refused set is said once, not at every check
                        }
                        try {
                            install(files, validate(files));
                        } catch (IllegalArgumentException bad) {
                            lastRejected = files;
                            throw bad;
                        }
                        return true;
                    }
                })
                .compose(changed -> changed ? updateServers().map(true) : Future.succeededFuture(false))
                .onSuccess(changed -> {
                    if (changed) {
                        metrics.tlsReload(true);
                        LOG.info("TLS certificates reloaded ({} pair(s))", pairs.size());
                    }
                })
                .onFailure(e -> {
                    metrics.tlsReload(false);
                    LOG.warn("TLS certificates not reloaded, the previous ones stay in use: {}", e.getMessage());
                });
    }

    private Future<Void> updateServers() {
        List<Future<Boolean>> updates = new ArrayList<>();
        servers.forEach(s -> updates.add(s.updateSSLOptions(current, true)));
        return Future.all(updates).mapEmpty();
    }

    private List<byte[]> read() throws IOException {
        List<byte[]> files = new ArrayList<>();
        for (ProxyConfig.CertKey p : pairs) {
            files.add(Files.readAllBytes(Path.of(p.cert())));
            files.add(Files.readAllBytes(Path.of(p.key())));
        }
        return files;
    }

    /** A set that passed {@link #validate}: Vert.x's options and the earliest expiry among its certificates. */
    private record Validated(PemKeyCertOptions pem, long notAfterEpochSecond) {}

    /** Every pair must load as Vert.x loads it and its key must sign what its certificate verifies. */
    private Validated validate(List<byte[]> files) {
        PemKeyCertOptions pem = new PemKeyCertOptions();
        long earliest = Long.MAX_VALUE;
        for (int i = 0; i < pairs.size(); i++) {
            Buffer cert = Buffer.buffer(files.get(2 * i));
            Buffer key = Buffer.buffer(files.get(2 * i + 1));
            String name = pairs.get(i).cert();
            try {
                X509KeyManager km =
                        keyManager(new PemKeyCertOptions().setCertValue(cert).setKeyValue(key));
                String alias = firstAlias(km);
                X509Certificate leaf = km.getCertificateChain(alias)[0];
                PrivateKey pk = km.getPrivateKey(alias);
                if (!matches(pk, leaf)) {
                    throw new IllegalArgumentException(name + ": the key does not belong to the certificate");
                }
                earliest = Math.min(earliest, leaf.getNotAfter().toInstant().getEpochSecond());
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
            pem.addCertValue(cert).addKeyValue(key);
        }
        return new Validated(pem, earliest);
    }

    private void install(List<byte[]> files, Validated v) {
        current = new ServerSSLOptions().setKeyCertOptions(v.pem()).setSni(sni());
        loaded = files;
        lastRejected = List.of();
        notAfterEpochSecond = v.notAfterEpochSecond();
    }

    private X509KeyManager keyManager(PemKeyCertOptions pem) throws Exception {
        for (KeyManager km : pem.getKeyManagerFactory(vertx).getKeyManagers()) {
            if (km instanceof X509KeyManager x) {
                return x;
            }
        }
        throw new IllegalArgumentException("no X.509 key");
    }

    private static String firstAlias(X509KeyManager km) {
        for (String type : List.of("RSA", "EC", "EdDSA", "Ed25519", "RSASSA-PSS")) {
            String[] aliases = km.getServerAliases(type, null);
            if (aliases != null && aliases.length > 0) {
                return aliases[0];
            }
        }
        throw new IllegalArgumentException("no usable private key (RSA, EC or EdDSA)");
    }

    private static boolean matches(PrivateKey key, X509Certificate cert) throws Exception {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519" -> "Ed25519";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> throw new IllegalArgumentException("unsupported key type " + key.getAlgorithm());
        };
        byte[] probe = "modseq-proxy certificate check".getBytes(StandardCharsets.US_ASCII);
        Signature s = Signature.getInstance(alg);
        if (alg.equals("RSASSA-PSS")) {
            s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        }
        s.initSign(key);
        s.update(probe);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(alg);
        if (alg.equals("RSASSA-PSS")) {
            v.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        }
        v.initVerify(cert.getPublicKey());
        v.update(probe);
        return v.verify(sig);
    }

    private static boolean same(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }
}

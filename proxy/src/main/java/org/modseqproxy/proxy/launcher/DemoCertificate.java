package org.modseqproxy.proxy.launcher;

import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The demo's self-signed certificate, kept in a data directory between runs, so that a mail client's "accept this
 * certificate always" still holds after a restart. Made once, with the key readable by its owner only.
 */
record DemoCertificate(Path cert, Path key) {

    /** The default data directory: $XDG_CACHE_HOME/modseq-proxy, else ~/.cache/modseq-proxy. */
    static Path defaultDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("modseq-proxy");
    }

    /** The certificate in {@code dir}, made there first if it is not yet. */
    static DemoCertificate in(Path dir) throws IOException {
        Path cert = dir.resolve("demo-cert.pem");
        Path key = dir.resolve("demo-key.pem");
        if (Files.isReadable(cert) && Files.isReadable(key)) {
            return new DemoCertificate(cert, key);
        }
        Files.createDirectories(dir);
        SelfSignedCertificate fresh = SelfSignedCertificate.create("localhost");
        try {
            Path tmpKey = Files.createTempFile(dir, "demo-key", ".tmp");
            owner(tmpKey);
            Files.copy(Path.of(fresh.privateKeyPath()), tmpKey, StandardCopyOption.REPLACE_EXISTING);
            Path tmpCert = Files.createTempFile(dir, "demo-cert", ".tmp");
            Files.copy(Path.of(fresh.certificatePath()), tmpCert, StandardCopyOption.REPLACE_EXISTING);
            // key first, certificate last: a half-made pair is never taken for a whole one
            Files.move(tmpKey, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmpCert, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            fresh.delete();
        }
        return new DemoCertificate(cert, key);
    }

    private static void owner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own protection applies
        }
    }
}

package org.modseqproxy.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the backends' binaries are and whether this machine can run them. Every "no" comes with the
 * sentence a developer needs, because the tests that depend on it are skipped with that sentence.
 */
final class BackendInstall {

    static final String INSTALL_HINT = "run interop/scripts/install-backends.sh as root";

    /** Set by install-backends.sh users who keep the unpacked packages elsewhere. */
    static final String DIR_PROPERTY = "modseq.backends.dir";

    static final String DIR_ENV = "MODSEQ_BACKENDS_DIR";

    static final Path DOVECOT = Path.of("/usr/sbin/dovecot");
    static final Path UNSHARE = Path.of("/usr/bin/unshare");

    /** The binaries CourierServer starts, relative to the unpacked package root. */
    static final List<String> COURIER_BINARIES = List.of(
            "usr/bin/imapd",
            "usr/lib/courier/courier/imaplogin",
            "usr/sbin/couriertcpd",
            "usr/lib/courier/courier-authlib/authdaemond",
            "usr/lib/courier/courier-authlib/makedatprog",
            "usr/lib/courier-authlib/libauthuserdb.so.0",
            "usr/libexec/gam_server");

    private BackendInstall() {}

    /** The cache folder install-backends.sh fills (same default as the script). */
    static Path cacheDir() {
        String configured = System.getProperty(DIR_PROPERTY, System.getenv(DIR_ENV));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        // Surefire runs in the module folder; an IDE may run from the repository root.
        Path fromModule = Path.of(".cache", "backends");
        Path fromRoot = Path.of("interop", ".cache", "backends");
        return Files.isDirectory(fromModule) || !Files.isDirectory(fromRoot) ? fromModule : fromRoot;
    }

    static Path courierRoot() {
        return cacheDir().resolve("courier").resolve("root").toAbsolutePath();
    }

    /** Empty when Courier can run here, else why not. */
    static Optional<String> courierMissing() {
        Optional<String> common = namespacesMissing();
        if (common.isPresent()) {
            return common;
        }
        Path root = courierRoot();
        for (String binary : COURIER_BINARIES) {
            if (!Files.isRegularFile(root.resolve(binary))) {
                return Optional.of("Courier not installed (no " + root.resolve(binary) + "): " + INSTALL_HINT);
            }
        }
        return Optional.empty();
    }

    /** Empty when Dovecot can run here, else why not. */
    static Optional<String> dovecotMissing() {
        Optional<String> common = namespacesMissing();
        if (common.isPresent()) {
            return common;
        }
        if (!Files.isExecutable(DOVECOT)) {
            return Optional.of("Dovecot not installed (no " + DOVECOT + "): " + INSTALL_HINT);
        }
        for (String account : List.of("dovecot", "dovenull")) {
            if (!SystemAccount.exists(account)) {
                return Optional.of("Dovecot's Unix account '" + account + "' is missing: " + INSTALL_HINT);
            }
        }
        return Optional.empty();
    }

    /** Both fixtures run their server inside private mount/PID namespaces (see IsolatedProcess). */
    private static Optional<String> namespacesMissing() {
        if (!Files.isExecutable(UNSHARE)) {
            return Optional.of("util-linux unshare missing (" + UNSHARE + ")");
        }
        if (!runningAsRoot()) {
            return Optional.of("the interop backends need root (mount/PID namespaces, chown to nobody)");
        }
        return Optional.empty();
    }

    static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** "courier-imap=5.0.13+1.0.16-3+b6 ..." as written by install-backends.sh. */
    static String courierVersions() {
        try {
            return String.join(
                    " ", Files.readAllLines(cacheDir().resolve("courier").resolve("VERSIONS")));
        } catch (IOException e) {
            return "unknown";
        }
    }
}

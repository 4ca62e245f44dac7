package org.modseqproxy.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What Courier and Dovecot fixtures share: a throwaway folder with one maildir per user, a server
 * process in its own namespaces ({@link IsolatedProcess}) on a free loopback port, retries when the
 * port was taken meanwhile, and cleanup. Subclasses say how to configure and start their server.
 */
abstract class MaildirServer implements ImapBackend {

    /** Keep the throwaway folder after stop() (for debugging a failing run): -Dmodseq.interop.keep=true */
    static final String KEEP_PROPERTY = "modseq.interop.keep";

    private static final int START_ATTEMPTS = 3;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private final List<MailUser> users;
    final SystemAccount mailAccount = SystemAccount.nobody();
    private Path dir;
    private int port;
    private IsolatedProcess process;

    MaildirServer(List<MailUser> users) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("a backend needs at least one user");
        }
        this.users = List.copyOf(users);
    }

    /** Empty when the binaries are here, else the reason (the same one the tests are skipped with). */
    abstract Optional<String> missing();

    /** Writes the server's configuration into {@code dir} for {@code port}; called before each attempt. */
    abstract void configure(Path dir, int port) throws IOException;

    /** Shell lines run as root inside the namespaces before the server starts. */
    abstract List<String> setup(Path dir);

    /** The foreground shell command that runs the server. */
    abstract String serverCommand(Path dir, int port);

    /** The maildir sub-folder name ("" for INBOX) for an IMAP folder name as this server spells it. */
    abstract String maildirFolder(String imapFolder);

    /** The server's own log files, shown by {@link #log()}. */
    abstract List<String> logFiles();

    /** Starts the server (subclasses expose it as {@code start()} returning themselves). */
    final synchronized void launch() throws IOException {
        if (process != null) {
            throw new IllegalStateException(name() + " already started (a fixture starts once)");
        }
        Optional<String> missing = missing();
        if (missing.isPresent()) {
            throw new IllegalStateException(missing.get());
        }
        dir = Files.createTempDirectory("modseq-" + name() + "-");
        StringBuilder failures = new StringBuilder();
        boolean started = false;
        try {
            // The mail processes run as nobody and must be able to walk down to their maildirs.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createDirectories(dir.resolve("home"));
            for (MailUser user : users) {
                Path home = Files.createDirectories(home(user.name()));
                mailAccount.own(home);
                Maildir.create(maildir(user.name()), mailAccount, false);
            }
            for (int attempt = 1; attempt <= START_ATTEMPTS && !started; attempt++) {
                int candidate = LoopbackPorts.free();
                configure(dir, candidate);
                process = IsolatedProcess.start(dir, setup(dir), serverCommand(dir, candidate));
                if (process.awaitGreeting(LoopbackPorts.HOST, candidate, READY_TIMEOUT)) {
                    port = candidate;
                    started = true;
                } else {
                    // Most likely the port was taken between free() and the server's bind.
                    failures.append("\n--- attempt ")
                            .append(attempt)
                            .append(" on port ")
                            .append(candidate)
                            .append(":\n")
                            .append(log());
                    process.stop();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failures.append("\ninterrupted");
        } finally {
            if (!started) {
                stop(); // kills what did start and removes the folder
            }
        }
        if (!started) {
            throw new IllegalStateException(name() + " did not start:" + failures);
        }
    }

    @Override
    public String host() {
        return LoopbackPorts.HOST;
    }

    @Override
    public int port() {
        if (port == 0) {
            throw new IllegalStateException(name() + " not started");
        }
        return port;
    }

    @Override
    public List<MailUser> users() {
        return users;
    }

    Path dir() {
        return dir;
    }

    Path home(String user) {
        return dir.resolve("home").resolve(user);
    }

    Path maildir(String user) {
        return home(user).resolve("Maildir");
    }

    @Override
    public void deliver(String user, String folder, byte[] rfc822) throws IOException {
        user(user); // fails for unknown users
        String sub = maildirFolder(folder);
        Path target = Maildir.folder(maildir(user), sub);
        if (!Files.isDirectory(target.resolve("new"))) {
            Maildir.create(target, mailAccount, true);
        }
        Maildir.deliver(target, rfc822, mailAccount);
    }

    @Override
    public String log() {
        if (process == null) {
            return "(" + name() + " not running)";
        }
        StringBuilder all = new StringBuilder(process.log());
        for (String file : logFiles()) {
            Path path = dir.resolve(file);
            if (Files.exists(path)) {
                try {
                    all.append("\n--- ").append(file).append(":\n").append(Files.readString(path));
                } catch (IOException e) {
                    all.append("\n--- ").append(file).append(": ").append(e);
                }
            }
        }
        return all.toString();
    }

    @Override
    public synchronized void stop() {
        if (process != null) {
            process.stop();
        }
        port = 0;
        if (dir != null) {
            if (Boolean.getBoolean(KEEP_PROPERTY)) {
                System.out.println(name() + ": kept " + dir);
            } else {
                deleteTree(dir);
            }
            dir = null;
        }
    }

    /** The server's processes right now (for tests of the fixture itself). */
    List<ProcessHandle> processTree() {
        return process == null ? List.of() : process.processTree();
    }

    /** True while the server's PID 1 runs (for tests of the fixture itself). */
    boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Single-quotes a value for sh (our paths have no quotes, but be exact anyway). */
    static String sh(Object value) {
        return "'" + value.toString().replace("'", "'\\''") + "'";
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }
}

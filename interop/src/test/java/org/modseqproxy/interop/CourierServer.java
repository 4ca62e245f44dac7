package org.modseqproxy.interop;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Courier-IMAP from Debian's packages, unpacked by install-backends.sh (never installed: it conflicts
 * with dovecot-imapd). A legacy store without CONDSTORE: see interop/QUIRKS.md.
 *
 * <p>The real login path runs: couriertcpd accepts, imaplogin asks authdaemond (module authuserdb)
 * over its Unix socket, then runs imapd as the user. The catch is that authlib has compiled-in paths,
 * /etc/courier/{authdaemonrc,userdb.dat,userdbshadow.dat} and /run/courier/authdaemon/socket. Inside
 * the fixture's private mount namespace we put an overlay on /etc (adding a courier/ folder with our
 * files) and a tmpfs on /run, so nothing outside the namespace is written or even seen.
 */
public final class CourierServer extends MaildirServer {

    /** Debian's /etc/courier/imapd defaults (courier-imap 5.0.13), passed as the environment imapd reads. */
    static final Map<String, String> IMAPD_ENV = Map.ofEntries(
            Map.entry(
                    "IMAP_CAPABILITY",
                    "IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE"),
            Map.entry("IMAP_KEYWORDS", "1"),
            Map.entry("IMAP_ACL", "1"),
            Map.entry("IMAP_PROXY", "0"),
            Map.entry("IMAP_IDLE_TIMEOUT", "60"),
            Map.entry("IMAP_MAILBOX_SANITY_CHECK", "1"),
            Map.entry("IMAP_DISABLETHREADSORT", "0"),
            Map.entry("IMAP_CHECK_ALL_FOLDERS", "0"),
            Map.entry("IMAP_OBSOLETE_CLIENT", "0"),
            Map.entry("IMAP_UMASK", "022"),
            Map.entry("IMAP_USELOCKS", "1"),
            Map.entry("IMAP_ENHANCEDIDLE", "0"),
            Map.entry("IMAP_TRASHFOLDERNAME", "Trash"),
            Map.entry("IMAP_EMPTYTRASH", "Trash:7"),
            Map.entry("IMAP_MOVE_EXPUNGE_TO_TRASH", "0"));

    private static final String AUTHDAEMONRC = """
            authmodulelist="authuserdb"
            daemons=2
            authdaemonvar=/run/courier/authdaemon
            DEBUG_LOGIN=0
            DEFAULTOPTIONS=""
            LOGGEROPTS=""
            """;

    private final Path root = BackendInstall.courierRoot();
    private final Map<String, String> env = new TreeMap<>(IMAPD_ENV);

    public CourierServer(MailUser... users) {
        super(List.of(users));
    }

    /**
     * Overrides one imapd setting before start(), e.g. {@code IMAP_ENHANCEDIDLE=1} for IDLE that
     * reports new mail at once (Debian's default 0 polls every IMAP_IDLE_TIMEOUT seconds).
     */
    public CourierServer withSetting(String name, String value) {
        if (!name.matches("[A-Z_]+")) {
            throw new IllegalArgumentException("not an imapd setting: " + name);
        }
        env.put(name, value);
        return this;
    }

    public CourierServer start() throws IOException {
        launch();
        return this;
    }

    @Override
    public String name() {
        return "courier";
    }

    /** The unpacked Debian package versions, e.g. "courier-imap=5.0.13+1.0.16-3+b6 ...". */
    public static String versions() {
        return BackendInstall.courierVersions();
    }

    @Override
    Optional<String> missing() {
        return BackendInstall.courierMissing();
    }

    @Override
    void configure(Path dir, int port) throws IOException {
        Path etc = Files.createDirectories(dir.resolve("etc-courier"));
        Files.writeString(etc.resolve("authdaemonrc"), AUTHDAEMONRC);
        // userdb: account data in userdb.dat, passwords in userdbshadow.dat (what makeuserdb would build; its perl
        // script hard-codes /etc/courier, so we feed makedatprog directly).
        List<String> accounts = new ArrayList<>();
        List<String> passwords = new ArrayList<>();
        for (MailUser user : users()) {
            accounts.add(user.name() + "\tuid=" + mailAccount.uid() + "|gid=" + mailAccount.gid() + "|home="
                    + home(user.name()) + "|mail=" + maildir(user.name()));
            passwords.add(user.name() + "\tsystempw={SHA256}" + sha256Base64(user.password()));
        }
        makedat(accounts, etc.resolve("userdb.dat"));
        makedat(passwords, etc.resolve("userdbshadow.dat"));
        Files.createDirectories(dir.resolve("ov"));
    }

    @Override
    List<String> setup(Path dir) {
        Path ov = dir.resolve("ov");
        return List.of(
                // A tmpfs holds the overlay's upper layer: overlayfs accepts it on any host filesystem.
                "mount -t tmpfs modseq-courier " + sh(ov),
                "mkdir " + sh(ov.resolve("upper")) + " " + sh(ov.resolve("work")),
                "cp -a " + sh(dir.resolve("etc-courier")) + " " + sh(ov.resolve("upper/courier")),
                "mount -t overlay overlay -o lowerdir=/etc,upperdir=" + ov.resolve("upper") + ",workdir="
                        + ov.resolve("work") + " /etc",
                "mount -t tmpfs modseq-courier-run /run",
                "mkdir -p /run/courier/authdaemon",
                // authdaemond loads its modules with libltdl, which also searches LTDL_LIBRARY_PATH.
                "LD_LIBRARY_PATH=" + sh(libraryPath()) + " LTDL_LIBRARY_PATH="
                        + sh(root.resolve("usr/lib/courier-authlib"))
                        + " " + sh(root.resolve("usr/lib/courier/courier-authlib/authdaemond"))
                        + " >> " + sh(dir.resolve("authdaemond.log")) + " 2>&1 &",
                "n=0; while [ ! -S /run/courier/authdaemon/socket ]; do n=$((n+1));"
                        + " [ $n -lt 200 ] || { echo 'authdaemond did not create its socket'; exit 1; }; sleep 0.05; done");
    }

    @Override
    String serverCommand(Path dir, int port) {
        StringBuilder command = new StringBuilder("env -i PATH=/usr/bin:/bin");
        command.append(" LD_LIBRARY_PATH=").append(sh(libraryPath()));
        // libgamin looks for gam_server at /usr/libexec unless told; without it Courier sends "* OK [ALERT] Filesystem
        // notification initialization error" after every LOGIN.
        command.append(" GAMIN_DEBUG_SERVER=").append(sh(root.resolve("usr/libexec/gam_server")));
        // gam_server listens on the abstract socket "/tmp/fam-<user>-<GAM_CLIENT_ID>", which is shared by all mount/PID
        // namespaces: without an id per fixture, a second Courier would talk to the first one's gam_server (and lose
        // its IDLE notifications when that one stops).
        command.append(" GAM_CLIENT_ID=").append(sh(dir.getFileName()));
        command.append(" IMAP_SHAREDINDEXFILE=").append(sh(dir.resolve("shared-index")));
        env.forEach((name, value) -> command.append(' ').append(sh(name + "=" + value)));
        command.append(' ')
                .append(sh(root.resolve("usr/sbin/couriertcpd")))
                .append(" -address=")
                .append(LoopbackPorts.HOST)
                .append(" -nodnslookup -noidentlookup -maxprocs=40 -maxperip=20")
                .append(" -stderr=")
                .append(sh(dir.resolve("imapd.log")))
                .append(' ')
                .append(port)
                .append(' ')
                .append(sh(root.resolve("usr/lib/courier/courier/imaplogin")))
                .append(' ')
                .append(sh(root.resolve("usr/bin/imapd")))
                .append(" Maildir");
        return command.toString();
    }

    /** Courier keeps every folder below INBOX: "INBOX.Archive" is the maildir folder ".Archive". */
    @Override
    String maildirFolder(String imapFolder) {
        if (imapFolder.equalsIgnoreCase("INBOX")) {
            return "";
        }
        if (!imapFolder.startsWith("INBOX.") || imapFolder.length() == "INBOX.".length()) {
            throw new IllegalArgumentException("Courier folders are named INBOX.<name>, not " + imapFolder);
        }
        return imapFolder.substring("INBOX.".length());
    }

    @Override
    List<String> logFiles() {
        return List.of("authdaemond.log", "imapd.log");
    }

    private String libraryPath() {
        return root.resolve("usr/lib/x86_64-linux-gnu") + ":" + root.resolve("usr/lib");
    }

    /** Runs authlib's makedatprog: "key TAB value" lines, then ".", into a GDBM file. */
    private void makedat(List<String> lines, Path datFile) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(
                        root.resolve("usr/lib/courier/courier-authlib/makedatprog")
                                .toString(),
                        "-",
                        datFile + ".tmp",
                        datFile.toString())
                .redirectErrorStream(true);
        builder.environment().put("LD_LIBRARY_PATH", libraryPath());
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write((String.join("\n", lines) + "\n.\n").getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (process.waitFor() != 0) {
                throw new IOException("makedatprog failed for " + datFile + ": " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** authlib's "{SHA256}" password scheme: base64 of the raw digest. */
    private static String sha256Base64(String password) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

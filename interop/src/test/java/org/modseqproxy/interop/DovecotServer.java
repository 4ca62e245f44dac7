package org.modseqproxy.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The machine's Dovecot (Debian package dovecot-imapd; its service is never started) run as a child
 * with a throwaway config: {@code dovecot -F -c <tmp>/dovecot.conf}, its own base_dir, state_dir and log,
 * users in a passwd-file, mail stored as nobody. Three flavours of backend, see {@link Mode}.
 */
public final class DovecotServer extends MaildirServer {

    /** How this Dovecot presents mod-sequences; the quirks are pinned in DovecotServerTest classes. */
    public enum Mode {
        /**
         * CONDSTORE/QRESYNC removed from the advertised capabilities with {@code imap_capability}: a
         * legacy backend as far as clients can tell (but see QUIRKS.md: the commands still work).
         */
        HIDDEN_CONDSTORE("dovecot-hidden", "maildir:~/Maildir", "imap_capability = " + Mode.HIDDEN_CAPABILITY),
        /**
         * Indexes kept in memory only: CONDSTORE is advertised but every SELECT says OK [NOMODSEQ] and
         * FETCH MODSEQ is a BAD; a store that cannot keep mod-sequences (RFC 7162 3.1.2.2).
         */
        INDEX_MEMORY("dovecot-nomodseq", "maildir:~/Maildir:INDEX=MEMORY", ""),
        /** Stock Dovecot with native CONDSTORE/QRESYNC: the reference for differential tests. */
        NATIVE("dovecot-native", "maildir:~/Maildir", "");

        /** Dovecot 2.3.19's post-login capabilities without CONDSTORE and QRESYNC. */
        static final String HIDDEN_CAPABILITY = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY"
                + " THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT"
                + " CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH ESORT SEARCHRES WITHIN"
                + " CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE"
                + " SAVEDATE LITERAL+ NOTIFY";

        final String serverName;
        final String mailLocation;
        final String extraConfig;

        Mode(String serverName, String mailLocation, String extraConfig) {
            this.serverName = serverName;
            this.mailLocation = mailLocation;
            this.extraConfig = extraConfig;
        }
    }

    private final Mode mode;

    public DovecotServer(Mode mode, MailUser... users) {
        super(List.of(users));
        this.mode = mode;
    }

    public DovecotServer start() throws IOException {
        launch();
        return this;
    }

    public Mode mode() {
        return mode;
    }

    @Override
    public String name() {
        return mode.serverName;
    }

    @Override
    Optional<String> missing() {
        return BackendInstall.dovecotMissing();
    }

    @Override
    void configure(Path dir, int port) throws IOException {
        // passwd-file: user:password:uid:gid:gecos:home:shell
        String users = users().stream()
                .map(u -> u.name() + ":{PLAIN}" + u.password() + ":" + mailAccount.uid() + ":" + mailAccount.gid()
                        + "::" + home(u.name()) + "::")
                .collect(Collectors.joining("\n", "", "\n"));
        Files.writeString(dir.resolve("users"), users);
        Files.writeString(dir.resolve("dovecot.conf"), config(dir, port));
    }

    private String config(Path dir, int port) {
        return """
                # Throwaway config written by DovecotServer.java (mode %s)
                base_dir = %s
                state_dir = %s
                instance_name = %s
                log_path = %s
                protocols = imap
                listen = 127.0.0.1
                ssl = no
                disable_plaintext_auth = no
                auth_mechanisms = plain login
                passdb {
                  driver = passwd-file
                  args = %s
                }
                userdb {
                  driver = passwd-file
                  args = %s
                }
                mail_location = %s
                service imap-login {
                  inet_listener imap {
                    address = 127.0.0.1
                    port = %d
                  }
                  inet_listener imaps {
                    port = 0
                  }
                }
                %s
                """.formatted(
                        mode,
                        dir.resolve("run"),
                        dir.resolve("state"),
                        dir.getFileName(),
                        dir.resolve("dovecot.log"),
                        dir.resolve("users"),
                        dir.resolve("users"),
                        mode.mailLocation,
                        port,
                        mode.extraConfig);
    }

    @Override
    List<String> setup(Path dir) {
        return List.of("mkdir -p " + sh(dir.resolve("run")) + " " + sh(dir.resolve("state")));
    }

    @Override
    String serverCommand(Path dir, int port) {
        return sh(BackendInstall.DOVECOT) + " -F -c " + sh(dir.resolve("dovecot.conf"));
    }

    /** Dovecot's default maildir namespace has no prefix: "Archive" is the maildir folder ".Archive". */
    @Override
    String maildirFolder(String imapFolder) {
        return imapFolder.equalsIgnoreCase("INBOX") ? "" : imapFolder;
    }

    @Override
    List<String> logFiles() {
        return List.of("dovecot.log");
    }

    /** "2.3.19.1 (9b53102964)", as {@code dovecot --version} prints it. */
    public static String version() {
        try {
            Process process = new ProcessBuilder(BackendInstall.DOVECOT.toString(), "--version")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(process.getInputStream().readAllBytes()).trim();
            process.waitFor();
            return out;
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}

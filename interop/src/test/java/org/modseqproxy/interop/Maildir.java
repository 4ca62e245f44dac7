package org.modseqproxy.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Maildir++ on disk, the format both Courier and Dovecot (mail_location = maildir:) read: a folder is
 * {@code cur/ new/ tmp/}; sub-folders are siblings named ".Name" (".A.B" for A/B) inside the root.
 */
final class Maildir {

    private static final AtomicLong DELIVERIES = new AtomicLong();

    private Maildir() {}

    /** Creates an (empty) maildir folder owned by the mail account. */
    static void create(Path folder, SystemAccount owner, boolean subFolder) throws IOException {
        Files.createDirectories(folder);
        owner.own(folder);
        for (String part : new String[] {"cur", "new", "tmp"}) {
            Path dir = Files.createDirectories(folder.resolve(part));
            owner.own(dir);
        }
        if (subFolder) {
            // Courier's marker for "this is a folder, not a maildir root" (maildirmake -f does the same).
            Path marker = folder.resolve("maildirfolder");
            if (!Files.exists(marker)) {
                Files.createFile(marker);
                owner.own(marker);
            }
        }
    }

    /** The folder of a maildir root for a name relative to INBOX ("" = INBOX, "Archive", "A.B"). */
    static Path folder(Path root, String nameBelowInbox) {
        return nameBelowInbox.isEmpty() ? root : root.resolve("." + nameBelowInbox);
    }

    /**
     * Writes into tmp/, then renames into new/, as maildir delivery requires (atomic appearance).
     * Maildir files hold Unix line ends: CRLF becomes LF, as an MTA's local delivery does (Courier
     * counts one CR per line when computing RFC822.SIZE, so a CRLF file would be miscounted).
     */
    static Path deliver(Path folder, byte[] rfc822, SystemAccount owner) throws IOException {
        long now = System.currentTimeMillis();
        String unique = (now / 1000) + ".M" + (now % 1000) * 1000 + "P"
                + ProcessHandle.current().pid() + "Q" + DELIVERIES.incrementAndGet() + ".modseq-interop";
        Path tmp = folder.resolve("tmp").resolve(unique);
        Files.write(tmp, unixLineEnds(rfc822));
        owner.own(tmp);
        return Files.move(tmp, folder.resolve("new").resolve(unique), StandardCopyOption.ATOMIC_MOVE);
    }

    private static byte[] unixLineEnds(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length);
        for (int i = 0; i < message.length; i++) {
            if (message[i] != '\r' || i + 1 >= message.length || message[i + 1] != '\n') {
                out.write(message[i]);
            }
        }
        return out.toByteArray();
    }
}

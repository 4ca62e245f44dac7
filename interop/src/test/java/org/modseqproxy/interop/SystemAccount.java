package org.modseqproxy.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Unix account the mail processes run as. Both servers refuse (or should not get) uid 0 for
 * mailbox access, so maildirs belong to {@code nobody}, which exists on every Debian machine.
 */
record SystemAccount(String name, int uid, int gid) {

    static SystemAccount nobody() {
        return lookup("nobody");
    }

    static SystemAccount lookup(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":");
                if (f.length > 3 && f[0].equals(name)) {
                    return new SystemAccount(name, Integer.parseInt(f[2]), Integer.parseInt(f[3]));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /etc/passwd", e);
        }
        throw new IllegalStateException("no such Unix account: " + name);
    }

    static boolean exists(String name) {
        try {
            lookup(name);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** Gives a file or folder to this account (the suite runs as root, so chown works). */
    void own(Path path) throws IOException {
        Files.setAttribute(path, "unix:uid", uid);
        Files.setAttribute(path, "unix:gid", gid);
    }
}

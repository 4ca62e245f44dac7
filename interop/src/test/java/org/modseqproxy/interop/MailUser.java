package org.modseqproxy.interop;

/** An IMAP account a test backend is started with: what a client types at LOGIN. */
public record MailUser(String name, String password) {

    public MailUser {
        // Both servers keep users in colon/tab separated files; keep names boring on purpose.
        if (!name.matches("[a-z][a-z0-9]*") || password.isEmpty() || password.matches(".*[\\s:|\"\\\\].*")) {
            throw new IllegalArgumentException("test users need [a-z0-9] names and simple passwords: " + name);
        }
    }

    public static MailUser of(String name, String password) {
        return new MailUser(name, password);
    }
}

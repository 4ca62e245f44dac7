package org.modseqproxy.interop;

import java.io.IOException;
import java.util.List;

/**
 * A real IMAP server started by a test on 127.0.0.1. Later scenarios start one, then a proxy in front of
 * it pointed at {@link #host()}:{@link #port()}, and compare what clients see.
 */
public interface ImapBackend extends AutoCloseable {

    /** Short name for reports, e.g. "courier" or "dovecot-native". */
    String name();

    String host();

    int port();

    List<MailUser> users();

    default MailUser user(String name) {
        return users().stream()
                .filter(u -> u.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no user " + name + " on " + name()));
    }

    /**
     * Drops a message into a folder the way an MTA would: a new file in the maildir's new/, outside
     * any IMAP session. Sessions see it at their next NOOP/IDLE. Creates the folder if needed.
     *
     * @param folder the IMAP name as this server spells it ("INBOX", "INBOX.Archive" on Courier,
     *     "Archive" on Dovecot)
     */
    void deliver(String user, String folder, byte[] rfc822) throws IOException;

    /** The server's own log so far, for assertion messages. */
    String log();

    /** Stops the server and every process it started; safe to call twice. */
    void stop();

    @Override
    default void close() {
        stop();
    }

    /** A raw client connected to this server (greeting read). */
    default RawImapClient connect() throws IOException {
        return RawImapClient.connect(host(), port());
    }

    /** A raw client logged in as {@code user} with LOGIN. */
    default RawImapClient login(String user) throws IOException {
        RawImapClient client = connect();
        MailUser account = user(user);
        ImapReply reply = client.command("LOGIN " + account.name() + " " + account.password());
        if (!reply.isOk()) {
            client.close();
            throw new IOException(name() + " refused LOGIN " + user + ": " + reply + "\n" + log());
        }
        return client;
    }
}

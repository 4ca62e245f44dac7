package org.modseqproxy.load.imap;

import java.time.Duration;
import java.util.List;

/**
 * {@code imap("request name")}: chooses the IMAP command. Every text argument is a Gatling EL string.
 * The request name is what the HTML report shows.
 */
public final class ImapRequestBuilder {

    private final String requestName;

    ImapRequestBuilder(String requestName) {
        if (requestName == null || requestName.isBlank()) {
            throw new IllegalArgumentException("a request needs a name");
        }
        this.requestName = requestName;
    }

    /** Connects if needed, then LOGIN with the protocol's credentials. */
    public ImapActionBuilder login() {
        return new ImapActionBuilder(requestName, ImapAction.Kind.LOGIN, null, null, null, null, List.of());
    }

    /** Connects if needed, then LOGIN with these credentials (EL allowed). */
    public ImapActionBuilder login(String user, String password) {
        return new ImapActionBuilder(requestName, ImapAction.Kind.LOGIN, null, user, password, null, List.of());
    }

    /** {@code SELECT "mailbox"}. */
    public ImapActionBuilder select(String mailbox) {
        return command(CommandTemplate.of("SELECT ").thenQuoted(mailbox));
    }

    /** {@code SELECT "mailbox" (CONDSTORE)} or {@code (QRESYNC (...))}, see {@link Imap#condstore()}. */
    public ImapActionBuilder select(String mailbox, SelectParams params) {
        return command(CommandTemplate.of("SELECT ").thenQuoted(mailbox).then(" " + params.el()));
    }

    /** {@code EXAMINE "mailbox"} with optional RFC 7162 parameters. */
    public ImapActionBuilder examine(String mailbox, SelectParams params) {
        return command(CommandTemplate.of("EXAMINE ").thenQuoted(mailbox).then(" " + params.el()));
    }

    /** Any command, sent as given after the tag, e.g. {@code command("FETCH 1:* (FLAGS MODSEQ)")}. */
    public ImapActionBuilder command(String commandEl) {
        return command(CommandTemplate.of(commandEl));
    }

    /** {@code STORE set action}, e.g. {@code store("#{msg}", "+FLAGS (\\Flagged)")}. */
    public ImapActionBuilder store(String sequenceSet, String action) {
        return command(CommandTemplate.of("STORE " + sequenceSet + " " + action));
    }

    /** {@code UID STORE set action}. */
    public ImapActionBuilder uidStore(String uidSet, String action) {
        return command(CommandTemplate.of("UID STORE " + uidSet + " " + action));
    }

    /** RFC 7162 3.1.3: {@code STORE set (UNCHANGEDSINCE modseq) action}; refused messages come back as MODIFIED. */
    public ImapActionBuilder storeUnchangedSince(String sequenceSet, String modSeq, String action) {
        return command(CommandTemplate.of("STORE " + sequenceSet + " (UNCHANGEDSINCE " + modSeq + ") " + action));
    }

    /**
     * RFC 2177 IDLE for {@code duration}, then DONE. Untagged responses pushed meanwhile are in the reply, so
     * {@code imapRegex(...)} checks can look for them. The reported time excludes the idle wait itself.
     */
    public ImapActionBuilder idle(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("negative idle duration");
        }
        return new ImapActionBuilder(
                requestName, ImapAction.Kind.IDLE, CommandTemplate.of("IDLE"), null, null, duration, List.of());
    }

    /** LOGOUT, then the connection is closed and forgotten; a later {@code login()} reconnects. */
    public ImapActionBuilder logout() {
        return new ImapActionBuilder(
                requestName, ImapAction.Kind.LOGOUT, CommandTemplate.of("LOGOUT"), null, null, null, List.of());
    }

    private ImapActionBuilder command(CommandTemplate template) {
        return new ImapActionBuilder(requestName, ImapAction.Kind.COMMAND, template, null, null, null, List.of());
    }
}

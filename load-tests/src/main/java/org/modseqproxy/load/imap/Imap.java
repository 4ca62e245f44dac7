package org.modseqproxy.load.imap;

import io.gatling.javaapi.core.Session;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Entry point of the IMAP DSL for Gatling simulations written in Java:
 *
 * <pre>{@code
 * import static org.modseqproxy.load.imap.Imap.*;
 *
 * ImapProtocolBuilder protocol = imap().host("127.0.0.1").port(1143).credentials("#{user}", "#{password}");
 * ScenarioBuilder s = scenario("resync")
 *     .exec(imap("login").login())
 *     .exec(imap("select").select("INBOX", condstore())
 *         .check(imapRegex("\\[HIGHESTMODSEQ (\\d+)\\]").saveAs("highestModSeq")))
 *     .exec(imap("logout").logout());
 * }</pre>
 */
public final class Imap {

    private Imap() {}

    /** The protocol: host, port, TLS, credentials, timeouts. Defaults: 127.0.0.1:143, no TLS. */
    public static ImapProtocolBuilder imap() {
        return new ImapProtocolBuilder();
    }

    /** A request named {@code requestName} in the report. */
    public static ImapRequestBuilder imap(String requestName) {
        return new ImapRequestBuilder(requestName);
    }

    /**
     * True while the virtual user holds an open IMAP connection: after {@code login()}, until
     * {@code logout()} or a request that lost the connection (closed by the server, timeout). For
     * reconnect logic: {@code doIf(session -> !connected(session)).then(exec(imap("LOGIN").login()))}.
     */
    public static boolean connected(Session session) {
        Object connection =
                session.contains(ImapConnection.SESSION_KEY) ? session.get(ImapConnection.SESSION_KEY) : null;
        return connection instanceof ImapConnection c && c.isOpen();
    }

    /** RFC 7162 3.1.8: {@code (CONDSTORE)}. */
    public static SelectParams condstore() {
        return SelectParams.condstore();
    }

    /** RFC 7162 3.2.5: {@code (QRESYNC (uidvalidity modseq))}, values as EL. */
    public static SelectParams qresync(String uidValidity, String modSeq) {
        return SelectParams.qresync(uidValidity, modSeq);
    }

    /** RFC 7162 3.2.5: {@code (QRESYNC (uidvalidity modseq known-uids))}, values as EL. */
    public static SelectParams qresync(String uidValidity, String modSeq, String knownUids) {
        return SelectParams.qresync(uidValidity, modSeq, knownUids);
    }

    /** The tagged status must be one of these (e.g. {@code status(NO)} for a negative test). */
    public static ImapCheck status(ImapStatus first, ImapStatus... more) {
        EnumSet<ImapStatus> allowed = EnumSet.of(first);
        allowed.addAll(List.of(more));
        return new StatusCheck(allowed);
    }

    /**
     * A Java regular expression searched in every response line; must match at least once by default. Named
     * imapRegex, not regex, so that it does not clash with {@code CoreDsl.regex} under wildcard static imports.
     */
    public static RegexCheck imapRegex(String pattern) {
        return new RegexCheck(Pattern.compile(pattern), null, 1, false);
    }

    /** RFC 7162 3.2.10: collects the UIDs of VANISHED responses; {@code vanished().saveAs("gone")}. */
    public static ModSeqChecks.Vanished vanished() {
        return new ModSeqChecks.Vanished(null);
    }

    /** RFC 7162 3.1.4.1: collects UID -> MODSEQ of the FETCH responses; {@code modSeqs().saveAs("modSeqs")}. */
    public static ModSeqChecks.ModSeqs modSeqs() {
        return new ModSeqChecks.ModSeqs(null);
    }

    /**
     * Fails when the reply's HIGHESTMODSEQ is below the last one this virtual user saw for {@code mailbox} with
     * the same UIDVALIDITY (RFC 7162 3). Put it on every command whose reply may carry HIGHESTMODSEQ.
     */
    public static ImapCheck highestModSeqNeverDecreases(String mailbox) {
        return new ModSeqChecks.NeverDecreases(mailbox);
    }
}

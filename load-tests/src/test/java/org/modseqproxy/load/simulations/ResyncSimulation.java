package org.modseqproxy.load.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;
import static org.modseqproxy.load.imap.Imap.*;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The QRESYNC round trip a mobile client makes, under load (RFC 7162 3.2.5, 4).
 *
 * <p>Each virtual user: LOGIN, ENABLE QRESYNC, SELECT INBOX (CONDSTORE) and remembers UIDVALIDITY and
 * HIGHESTMODSEQ, flips \Flagged on three random messages, LOGOUT; then reconnects and resynchronises with
 * SELECT INBOX (QRESYNC (uidvalidity modseq)). Its own STOREs happened after the remembered modseq, so the
 * QRESYNC SELECT must report at least one changed message as an untagged FETCH. All users share the demo
 * mailbox, so they also see each other's changes. Closed model: {@code load.users} users at all times for
 * {@code load.seconds} seconds (defaults 20 users, 30 s).
 */
public class ResyncSimulation extends ImapSimulation {

    private final LoadSettings settings = LoadSettings.fromSystemProperties(20, 30);

    /**
     * Three real changes: read a random message's flags, then flip \Flagged, so every STORE bumps a
     * mod-sequence (a STORE that changes nothing need not, RFC 7162 3.1.3) and the later QRESYNC SELECT has
     * something to report.
     */
    private final ChainBuilder flipThree = repeat(3)
            .on(exec(session ->
                            session.set("msg", 1 + ThreadLocalRandom.current().nextInt(session.getInt("exists"))))
                    .exec(imap("FETCH FLAGS")
                            .command("FETCH #{msg} (FLAGS)")
                            .check(imapRegex("^\\* \\d+ FETCH \\(.*FLAGS \\(([^)]*)\\)")
                                    .saveAs("flags")))
                    .exec(session ->
                            session.set("op", session.getString("flags").contains("\\Flagged") ? "-" : "+"))
                    .exec(imap("STORE FLAGS")
                            .store("#{msg}", "#{op}FLAGS (\\Flagged)")
                            // RFC 7162 3.1.4: with CONDSTORE enabled, the FETCH after STORE carries MODSEQ
                            .check(imapRegex("^\\* \\d+ FETCH \\(.*MODSEQ \\(\\d+\\)")))
                    // a lost connection would only turn the next requests into "not connected" KOs
                    .exitHereIfFailed());

    private final ScenarioBuilder resync = scenario("CONDSTORE then QRESYNC reconnect")
            .feed(settings.credentials())
            .exec(imap("LOGIN").login())
            .exec(imap("ENABLE QRESYNC").command("ENABLE QRESYNC").check(imapRegex("^\\* ENABLED .*QRESYNC")))
            .exec(imap("SELECT (CONDSTORE)")
                    .select("INBOX", condstore())
                    .check(
                            imapRegex("^\\* (\\d+) EXISTS").saveAs("exists"),
                            imapRegex("\\[UIDVALIDITY (\\d+)\\]").saveAs("uidValidity"),
                            imapRegex("\\[HIGHESTMODSEQ (\\d+)\\]").saveAs("highestModSeq"),
                            highestModSeqNeverDecreases("INBOX")))
            .exitHereIfFailed()
            .exec(flipThree)
            .exec(imap("LOGOUT").logout().check(imapRegex("^\\* BYE")))
            .exec(imap("LOGIN").login())
            .exec(imap("ENABLE QRESYNC").command("ENABLE QRESYNC").check(imapRegex("^\\* ENABLED .*QRESYNC")))
            .exitHereIfFailed()
            .exec(imap("SELECT (QRESYNC)")
                    .select("INBOX", qresync("#{uidValidity}", "#{highestModSeq}"))
                    .check(
                            imapRegex("\\[HIGHESTMODSEQ (\\d+)\\]").saveAs("resyncedModSeq"),
                            highestModSeqNeverDecreases("INBOX"),
                            // RFC 7162 3.2.5.2: messages changed since the given modseq come back as FETCH
                            imapRegex("^\\* \\d+ FETCH \\(.*MODSEQ").atLeast(1)))
            .exec(imap("LOGOUT").logout());

    {
        setUp(settings.inject(resync))
                .protocols(settings.protocol())
                .maxDuration(settings.maxDuration())
                .assertions(settings.koAssertion());
    }
}

package org.modseqproxy.load.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;
import static org.modseqproxy.load.imap.Imap.*;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A plain IMAP client mix, without CONDSTORE or QRESYNC: what the proxy mostly passes through to the
 * backend. Each virtual user logs in, SELECTs INBOX and then, for {@code load.seconds} seconds without
 * pauses, runs a weighted mix of FETCH, STORE, SEARCH, NOOP and short IDLEs (reconnecting if the
 * connection was lost); then LOGOUT. Users arrive
 * over 5 seconds ({@code load.users}, default 20; duration default 30 s).
 */
public class PassThroughSimulation extends ImapSimulation {

    private final LoadSettings settings = LoadSettings.fromSystemProperties(20, 30, "open");

    private final ChainBuilder loginAndSelect = exec(imap("LOGIN").login())
            .exec(imap("SELECT")
                    .select("INBOX")
                    .check(imapRegex("^\\* (\\d+) EXISTS").saveAs("exists")));

    private final ScenarioBuilder mix = scenario("FETCH/STORE/SEARCH mix")
            .feed(settings.credentials())
            .exec(loginAndSelect)
            .exitHereIfFailed()
            .during(Duration.ofSeconds(settings.seconds()))
            .on(
                    // A client whose connection was lost (the backend hung up, a timeout) reconnects after a second
                    // instead of firing "not connected" KOs in a tight loop.
                    doIf(session -> !connected(session))
                            .then(pause(Duration.ofSeconds(1)).exec(loginAndSelect))
                            .exec(session -> {
                                ThreadLocalRandom random = ThreadLocalRandom.current();
                                int exists = session.getInt("exists");
                                int from = 1 + random.nextInt(exists);
                                return session.set("msg", from)
                                        .set("to", Math.min(exists, from + 19))
                                        .set("op", random.nextBoolean() ? "+" : "-");
                            })
                            .randomSwitch()
                            .on(
                                    percent(30.0)
                                            .then(exec(imap("FETCH FLAGS")
                                                    .command("FETCH #{msg}:#{to} (UID FLAGS)")
                                                    .check(imapRegex("^\\* \\d+ FETCH \\(")
                                                            .atLeast(1)))),
                                    percent(15.0)
                                            .then(exec(imap("FETCH ENVELOPE")
                                                    .command("FETCH #{msg} (UID RFC822.SIZE ENVELOPE)")
                                                    .check(imapRegex("^\\* \\d+ FETCH \\(.*ENVELOPE \\(")))),
                                    percent(20.0)
                                            .then(exec(imap("STORE FLAGS")
                                                    .store("#{msg}", "#{op}FLAGS (\\Seen)")
                                                    // a store whose flags did not change may answer no FETCH
                                                    // (Dovecot does; RFC 9051 6.4.6 leaves it open)
                                                    .check(imapRegex("^\\* \\d+ FETCH \\(.*FLAGS")
                                                            .optional()))),
                                    percent(10.0)
                                            .then(exec(imap("SEARCH UNSEEN")
                                                    .command("SEARCH UNSEEN")
                                                    .check(imapRegex("^\\* SEARCH")))),
                                    percent(10.0)
                                            .then(exec(imap("UID SEARCH FLAGGED")
                                                    .command("UID SEARCH FLAGGED")
                                                    .check(imapRegex("^\\* SEARCH")))),
                                    percent(10.0).then(exec(imap("NOOP").command("NOOP"))),
                                    percent(5.0).then(exec(imap("IDLE 500ms").idle(Duration.ofMillis(500))))))
            .exec(imap("LOGOUT").logout());

    {
        setUp(settings.inject(mix))
                .protocols(settings.protocol())
                .maxDuration(settings.maxDuration())
                .assertions(settings.koAssertion());
    }
}

package org.modseqproxy.load.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;
import static org.modseqproxy.load.imap.Imap.*;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.modseqproxy.load.imap.ImapCheck;
import org.modseqproxy.load.imap.ImapStatus;

/**
 * A fleet of phones: {@code load.users} sessions (default 20) idle in IDLE (RFC 2177) on the INBOX, 5 s at a time;
 * after each IDLE a fifth of them drop off and come back with a QRESYNC SELECT (RFC 7162 3.2.5) from what they knew
 * (or, on a server without QRESYNC, with the full flag listing, RFC 5162 section 5).
 * One writer delivers a message every second (APPEND, LITERAL+) and, a second later, expunges it again (UID STORE
 * \Deleted + UID EXPUNGE, RFC 4315), so the fleet is pushed EXISTS and then VANISHED/EXPUNGE, and flips a flag. At
 * the end the run prints the push latency (from the APPEND sent to each EXISTS seen in IDLE) and the bytes of the
 * resyncs, as percentiles.
 */
public class MobileFleetSimulation extends ImapSimulation {

    private final LoadSettings settings = LoadSettings.fromSystemProperties(20, 30, "closed");

    /** When the writer sent each APPEND (System.nanoTime). */
    static final java.util.concurrent.ConcurrentSkipListSet<Long> DELIVERIES =
            new java.util.concurrent.ConcurrentSkipListSet<>();

    static final List<Long> PUSH_MILLIS = Collections.synchronizedList(new ArrayList<>());
    static final List<Long> RESYNC_BYTES = Collections.synchronizedList(new ArrayList<>());

    /** Each EXISTS pushed in IDLE: from the delivery just before it to its arrival. */
    static final ImapCheck PUSH = (reply, saves) -> {
        for (int i = 0; i < reply.untagged().size() && i < reply.arrivalNanos().size(); i++) {
            if (!reply.untagged().get(i).endsWith(" EXISTS")) {
                continue;
            }
            long arrived = reply.arrivalNanos().get(i);
            Long sent = DELIVERIES.floor(arrived);
            if (sent != null) {
                PUSH_MILLIS.add((arrived - sent) / 1_000_000);
            }
        }
        return null;
    };

    static final List<Long> FULL_BYTES = Collections.synchronizedList(new ArrayList<>());

    static final ImapCheck FULL_SIZE = (reply, saves) -> {
        FULL_BYTES.add(reply.size());
        return null;
    };

    static final ImapCheck RESYNC_SIZE = (reply, saves) -> {
        RESYNC_BYTES.add(reply.size());
        return null;
    };

    static String percentiles(List<Long> values, String unit) {
        List<Long> v;
        synchronized (values) {
            v = new ArrayList<>(values);
        }
        if (v.isEmpty()) {
            return "none";
        }
        Collections.sort(v);
        return v.size() + " samples, p50 " + v.get(v.size() / 2) + " " + unit + ", p90 " + v.get(v.size() * 9 / 10)
                + " " + unit + ", p99 " + v.get(Math.min(v.size() - 1, v.size() * 99 / 100)) + " " + unit + ", max "
                + v.get(v.size() - 1) + " " + unit;
    }

    @Override
    public void after() {
        System.out.println("MobileFleet push latency: " + percentiles(PUSH_MILLIS, "ms"));
        System.out.println("MobileFleet QRESYNC resync size: " + percentiles(RESYNC_BYTES, "bytes"));
        System.out.println("MobileFleet full-listing resync size: " + percentiles(FULL_BYTES, "bytes"));
        super.after();
    }

    /** A server without QRESYNC answers BAD or NO: the phone then resyncs with the full listing. */
    private final ChainBuilder online = exec(imap("LOGIN").login())
            .exec(imap("ENABLE QRESYNC")
                    .command("ENABLE QRESYNC")
                    .check(
                            status(ImapStatus.OK, ImapStatus.NO, ImapStatus.BAD),
                            imapRegex("^\\* ENABLED .*(QRESYNC)")
                                    .saveAs("qresync")
                                    .optional()))
            .exitHereIfFailed();

    private final ScenarioBuilder phones = scenario("phones in IDLE")
            .feed(settings.credentials())
            .exec(online)
            .exec(imap("SELECT")
                    .select("INBOX")
                    .check(
                            imapRegex("\\[UIDVALIDITY (\\d+)\\]").saveAs("uidValidity"),
                            imapRegex("\\[HIGHESTMODSEQ (\\d+)\\]")
                                    .saveAs("highestModSeq")
                                    .optional(),
                            highestModSeqNeverDecreases("INBOX")))
            .exitHereIfFailed()
            .during(Duration.ofSeconds(settings.seconds()))
            .on(exec(imap("IDLE 5s").idle(Duration.ofSeconds(5)).check(PUSH))
                    .doIf(s -> ThreadLocalRandom.current().nextInt(5) == 0)
                    .then(exec(imap("LOGOUT").logout())
                            .exec(online)
                            .doIfOrElse(s -> s.contains("qresync") && s.contains("highestModSeq"))
                            .then(exec(imap("resync QRESYNC")
                                    .select("INBOX", qresync("#{uidValidity}", "#{highestModSeq}"))
                                    .check(
                                            imapRegex("\\[HIGHESTMODSEQ (\\d+)\\]")
                                                    .saveAs("highestModSeq"),
                                            highestModSeqNeverDecreases("INBOX"),
                                            RESYNC_SIZE)))
                            // RFC 5162 section 5: without QRESYNC, the whole flag listing
                            .orElse(exec(imap("SELECT").select("INBOX"))
                                    .exec(imap("resync full listing")
                                            .command("UID FETCH 1:* (FLAGS)")
                                            .check(FULL_SIZE)))))
            .exec(imap("LOGOUT").logout());

    private static final String MESSAGE = "Subject: pushed to the fleet\r\nFrom: writer@example.org\r\n\r\nhello\r\n";

    private final ScenarioBuilder writer = scenario("writer")
            .feed(settings.credentials())
            .exec(imap("LOGIN").login())
            .exec(imap("SELECT")
                    .select("INBOX")
                    .check(imapRegex("^\\* (\\d+) EXISTS").saveAs("exists")))
            .exitHereIfFailed()
            .pause(Duration.ofSeconds(settings.rampSeconds()))
            .during(Duration.ofSeconds(settings.seconds()))
            .on(exec(s -> {
                        DELIVERIES.add(System.nanoTime());
                        return s;
                    })
                    .exec(imap("APPEND (delivery)")
                            .command("APPEND INBOX {" + MESSAGE.length() + "+}\r\n" + MESSAGE)
                            .check(imapRegex("\\[APPENDUID \\d+ (\\d+)\\]").saveAs("uid")))
                    .pause(Duration.ofSeconds(1))
                    .exec(imap("UID STORE \\Deleted").command("UID STORE #{uid} +FLAGS.SILENT (\\Deleted)"))
                    .exec(imap("UID EXPUNGE").command("UID EXPUNGE #{uid}"))
                    .exec(s -> s.set(
                            "msg", 1 + ThreadLocalRandom.current().nextInt(Integer.parseInt(s.getString("exists")))))
                    .exec(imap("STORE flag").store("#{msg}", "+FLAGS.SILENT (\\Seen)"))
                    .pause(Duration.ofSeconds(1)))
            .exec(imap("LOGOUT").logout());

    {
        setUp(settings.inject(phones), writer.injectOpen(atOnceUsers(1)))
                .protocols(settings.protocol())
                .maxDuration(settings.maxDuration())
                .assertions(settings.koAssertion());
    }
}

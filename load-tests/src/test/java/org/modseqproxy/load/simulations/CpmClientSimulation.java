package org.modseqproxy.load.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;
import static org.modseqproxy.load.imap.Imap.*;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.modseqproxy.load.imap.ImapCheck;
import org.modseqproxy.load.imap.ImapReply;
import org.modseqproxy.load.imap.ImapStatus;

/**
 * The OMA CPM Message Store client (CPM 2.x, section 6.7): a device that keeps a local cache of its INBOX
 * (UIDVALIDITY, HIGHESTMODSEQ, UID -> flags) and, each time it comes back online, brings the cache up to date:
 *
 * <ul>
 *   <li>with QRESYNC when the server has it (RFC 7162 3.2.5): {@code SELECT INBOX (QRESYNC (uidvalidity modseq))},
 *       applying the changed messages' FETCH and the VANISHED (EARLIER) set;
 *   <li>else as RFC 5162 section 5 (and RFC 7162's NOMODSEQ answer) says: the full {@code UID FETCH 1:* (FLAGS)}
 *       listing replaces the cache (it names every message still there, so expunges show by absence).
 * </ul>
 *
 * While online it flips one flag (so that the other devices sharing the account have something to resync), then
 * goes offline for a second. Every third QRESYNC resync is verified: a fresh {@code UID FETCH 1:* (FLAGS MODSEQ)}
 * must agree with the cache on every message not changed since the resync (MODSEQ at most the resync's
 * HIGHESTMODSEQ); a disagreement is a KO ("cache differs"). The two paths show in the report as "resync QRESYNC"
 * and "resync full listing" (time); their bytes per resync are printed at the end. Closed model,
 * {@code load.users} devices (default 10).
 */
public class CpmClientSimulation extends ImapSimulation {

    private final LoadSettings settings = LoadSettings.fromSystemProperties(10, 30, "closed");

    /** UID -> flags as the device knows them. */
    static Map<Long, String> cache(Session s) {
        return s.contains("cache") ? s.get("cache") : new HashMap<>();
    }

    static final java.util.regex.Pattern FETCH = java.util.regex.Pattern.compile("^\\* \\d+ FETCH \\((.*)\\)$");
    static final java.util.regex.Pattern UID = java.util.regex.Pattern.compile("\\bUID (\\d+)");
    static final java.util.regex.Pattern FLAGS = java.util.regex.Pattern.compile("\\bFLAGS \\(([^)]*)\\)");
    static final java.util.regex.Pattern MODSEQ = java.util.regex.Pattern.compile("\\bMODSEQ \\((\\d+)\\)");

    /** {uid -> flags} and {uid -> modseq} of every FETCH line of a reply that carries UID and FLAGS. */
    static Map<Long, String[]> fetched(ImapReply reply) {
        Map<Long, String[]> out = new HashMap<>();
        for (String line : reply.untagged()) {
            var f = FETCH.matcher(line);
            if (!f.matches()) {
                continue;
            }
            var u = UID.matcher(f.group(1));
            var fl = FLAGS.matcher(f.group(1));
            if (u.find() && fl.find()) {
                var m = MODSEQ.matcher(f.group(1));
                out.put(Long.parseLong(u.group(1)), new String[] {normal(fl.group(1)), m.find() ? m.group(1) : "0"});
            }
        }
        return out;
    }

    /** Flags in a fixed order, without \Recent (a session property, RFC 3501 2.3.2). */
    static String normal(String flags) {
        return java.util.Arrays.stream(flags.trim().split("\\s+"))
                .filter(f -> !f.isEmpty() && !f.equalsIgnoreCase("\\Recent"))
                .sorted(String.CASE_INSENSITIVE_ORDER)
                .collect(java.util.stream.Collectors.joining(" "));
    }

    /** Bytes and count of each resync path, over all devices, printed when the run ends. */
    static final java.util.concurrent.atomic.AtomicLong FULL_BYTES = new java.util.concurrent.atomic.AtomicLong();

    static final java.util.concurrent.atomic.AtomicLong FULL_COUNT = new java.util.concurrent.atomic.AtomicLong();
    static final java.util.concurrent.atomic.AtomicLong QRESYNC_BYTES = new java.util.concurrent.atomic.AtomicLong();
    static final java.util.concurrent.atomic.AtomicLong QRESYNC_COUNT = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public void after() {
        System.out.printf(
                "CpmClient resync cost: QRESYNC %d resyncs, %.0f bytes each; full listing %d, %.0f bytes each%n",
                QRESYNC_COUNT.get(),
                QRESYNC_COUNT.get() == 0 ? 0.0 : (double) QRESYNC_BYTES.get() / QRESYNC_COUNT.get(),
                FULL_COUNT.get(),
                FULL_COUNT.get() == 0 ? 0.0 : (double) FULL_BYTES.get() / FULL_COUNT.get());
        super.after();
    }

    /** The full listing replaces the cache. */
    static final ImapCheck LISTING = (reply, saves) -> {
        FULL_BYTES.addAndGet(reply.size());
        FULL_COUNT.incrementAndGet();
        Map<Long, String> c = new HashMap<>();
        fetched(reply).forEach((uid, v) -> c.put(uid, v[0]));
        saves.put("cache", c);
        return null;
    };

    /** A QRESYNC SELECT's changed messages (FETCH) for the cache; the VANISHED set is saved by vanished(). */
    static final ImapCheck DELTA = (reply, saves) -> {
        QRESYNC_BYTES.addAndGet(reply.size());
        QRESYNC_COUNT.incrementAndGet();
        Map<Long, String> changed = new HashMap<>();
        fetched(reply).forEach((uid, v) -> changed.put(uid, v[0]));
        saves.put("changed", changed);
        return null;
    };

    private final ChainBuilder fullListing = exec(imap("resync full listing")
                    .command("UID FETCH 1:* (FLAGS)")
                    .check(LISTING))
            .exec(s -> s.set("path", "full"));

    /** ENABLE QRESYNC where the server has it (BAD or NO where it has not: then the other path). */
    private final ChainBuilder enable = exec(imap("ENABLE QRESYNC")
            .command("ENABLE QRESYNC")
            .check(
                    status(ImapStatus.OK, ImapStatus.NO, ImapStatus.BAD),
                    imapRegex("^\\* ENABLED .*(QRESYNC)").saveAs("qresync").optional()));

    /** A plain SELECT: with QRESYNC enabled it carries HIGHESTMODSEQ, or NOMODSEQ (RFC 7162 3.1.2.2). */
    private final ChainBuilder select = exec(imap("SELECT")
                    .select("INBOX")
                    .check(
                            imapRegex("\\[UIDVALIDITY (\\d+)\\]").saveAs("uidValidity"),
                            imapRegex("\\[HIGHESTMODSEQ (\\d+)\\]")
                                    .saveAs("highestModSeq")
                                    .optional(),
                            highestModSeqNeverDecreases("INBOX"),
                            imapRegex("^\\* (\\d+) EXISTS").saveAs("exists")))
            .exitHereIfFailed();

    /** Online: ENABLE QRESYNC when offered, then the path the server allows. */
    private final ChainBuilder comeOnline = exec(imap("LOGIN").login())
            .exec(enable)
            .exitHereIfFailed()
            .doIfOrElse(s -> s.contains("qresync") && s.contains("highestModSeq") && s.contains("cache"))
            .then(exec(imap("resync QRESYNC")
                            .select("INBOX", qresync("#{uidValidity}", "#{highestModSeq}"))
                            .check(
                                    imapRegex("\\[UIDVALIDITY (\\d+)\\]").saveAs("newUidValidity"),
                                    imapRegex("\\[HIGHESTMODSEQ (\\d+)\\]").saveAs("highestModSeq"),
                                    imapRegex("^\\* (\\d+) EXISTS").saveAs("exists"),
                                    highestModSeqNeverDecreases("INBOX"),
                                    vanished().saveAs("vanished"),
                                    DELTA))
                    .exitHereIfFailed()
                    .exec(s -> {
                        if (!s.getString("newUidValidity").equals(s.getString("uidValidity"))) {
                            return s.remove("cache").set("uidValidity", s.getString("newUidValidity"));
                        }
                        Map<Long, String> c = new HashMap<>(cache(s));
                        java.util.Set<Long> gone = s.get("vanished");
                        gone.forEach(c::remove);
                        Map<Long, String> changed = s.get("changed");
                        c.putAll(changed);
                        return s.set("cache", c).set("path", "qresync");
                    })
                    // UIDVALIDITY changed: the cache is worthless (RFC 7162 3.2.5), list everything
                    .doIf(s -> !s.contains("cache"))
                    .then(fullListing))
            .orElse(exec(select).exec(fullListing));

    /** Every third QRESYNC resync: the cache must match the server for every message unchanged since. */
    private final ChainBuilder verify = doIf(s -> "qresync".equals(s.getString("path"))
                    && ThreadLocalRandom.current().nextInt(3) == 0)
            .then(exec(
                    imap("verify cache").command("UID FETCH 1:* (FLAGS MODSEQ)").check((reply, saves) -> {
                        saves.put("fresh", fetched(reply));
                        return null;
                    })))
            .exec(s -> {
                if (!s.contains("fresh")) {
                    return s.remove("mismatch");
                }
                Map<Long, String[]> fresh = s.get("fresh");
                long horizon = Long.parseLong(s.getString("highestModSeq"));
                Map<Long, String> c = cache(s);
                for (var e : fresh.entrySet()) {
                    boolean unchangedSince = Long.parseLong(e.getValue()[1]) <= horizon;
                    if (unchangedSince && !e.getValue()[0].equals(c.get(e.getKey()))) {
                        return s.remove("fresh")
                                .set(
                                        "mismatch",
                                        "UID " + e.getKey() + ": cache (" + c.get(e.getKey()) + ") server ("
                                                + e.getValue()[0] + ")");
                    }
                }
                return s.remove("fresh").remove("mismatch");
            })
            // a difference becomes a KO of its own, with what differed as the reason
            .doIf(s -> s.contains("mismatch"))
            .then(exec(imap("cache differs")
                    .command("NOOP")
                    .check((reply, saves) -> "the cache after QRESYNC differs from the server")));

    /** One flag flipped on a random message, then offline. */
    private final ChainBuilder changeAndLeave = exec(s -> {
                int exists = Integer.parseInt(s.getString("exists"));
                return s.set("msg", 1 + ThreadLocalRandom.current().nextInt(Math.max(1, exists)))
                        .set("op", ThreadLocalRandom.current().nextBoolean() ? "+" : "-");
            })
            .exec(imap("STORE").store("#{msg}", "#{op}FLAGS (\\Flagged)"))
            .exec(imap("LOGOUT").logout());

    private final ScenarioBuilder device = scenario("CPM client: cache, offline, resync")
            .feed(settings.credentials())
            .exec(imap("LOGIN").login())
            .exec(enable)
            .exec(select)
            .exec(fullListing)
            .exec(imap("LOGOUT").logout())
            .during(Duration.ofSeconds(settings.seconds()))
            .on(pause(Duration.ofSeconds(1)).exec(comeOnline).exec(verify).exec(changeAndLeave));

    {
        setUp(settings.inject(device))
                .protocols(settings.protocol())
                .maxDuration(settings.maxDuration())
                .assertions(settings.koAssertion());
    }
}

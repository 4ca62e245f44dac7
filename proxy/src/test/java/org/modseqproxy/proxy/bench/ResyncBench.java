package org.modseqproxy.proxy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.ModSeqStores;
import org.modseqproxy.state.StoreOptions;
import org.modseqproxy.state.UidSet;
import org.modseqproxy.state.testing.RedisServerFixture;

/**
 * The figures of issue 3: a 10,000-message INBOX, 1% of its messages flag-changed since the client's last sync
 * (half through the proxy, half directly on the backend). Bytes sent to the client and wall time of the resync with
 * {@code SELECT INBOX (QRESYNC (uv modseq))} through the proxy, against the resync a client without QRESYNC does
 * ({@code SELECT INBOX} + {@code UID FETCH 1:* (FLAGS)}) through the proxy and directly against GreenMail, measured
 * in one run, interleaved. Then Redis memory per message for that mailbox (MEMORY USAGE over its keys).
 *
 * <p>Out of the default suite (about a minute):
 * {@code mvn -o -q -pl proxy test -Dbench -Dtest=ResyncBench -Dmodseq.bench=true -Dsurefire.failIfNoSpecifiedTests=false};
 * the table is in {@code proxy/target/surefire-reports/org.modseqproxy.proxy.bench.ResyncBench-output.txt}.
 */
@Tag("bench")
@EnabledIfSystemProperty(named = "modseq.bench", matches = "true")
class ResyncBench {
    static final int MESSAGES = Integer.getInteger("modseq.bench.messages", 10_000);
    static final int RUNS = Integer.getInteger("modseq.bench.runs", 3);

    /** One way of resyncing: its bytes (same every run) and its wall times. */
    static final class Row {
        final String name;
        long bytes;
        int fetchLines;
        final List<Long> micros = new ArrayList<>();

        Row(String name) {
            this.name = name;
        }

        double medianMs() {
            long[] m = micros.stream().mapToLong(Long::longValue).sorted().toArray();
            return m[m.length / 2] / 1000.0;
        }
    }

    @Test
    void qresyncVersusFullListingFor10000Messages() throws Exception {
        try (GreenMailBackend backend = GreenMailBackend.withNoDelay();
                RedisServerFixture redis = RedisServerFixture.start()) {
            GreenMailUser alice = backend.user("alice", "pw");
            long t0 = System.nanoTime();
            deliver(alice, MESSAGES);
            System.out.printf("BENCH delivered %d messages in %d ms%n", MESSAGES, (System.nanoTime() - t0) / 1_000_000);

            try (ModSeqStore store = ModSeqStores.create(redis.uri(), StoreOptions.defaults())) {
                Awaitility.await().atMost(30, TimeUnit.SECONDS).until(store::available);
                try (ProxyFixture proxy = ProxyFixture.start("127.0.0.1", backend.port(), store, c -> {})) {
                    run(backend, redis, proxy);
                }
            }
        }
    }

    private void run(GreenMailBackend backend, RedisServerFixture redis, ProxyFixture proxy) throws IOException {
        // The client's last sync.
        long uidValidity;
        long modSeq;
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            long t0 = System.nanoTime();
            List<String> sel = c.command("a", "SELECT INBOX (CONDSTORE)");
            System.out.printf(
                    "BENCH first CONDSTORE select (listing %d messages into Redis): %d ms%n",
                    MESSAGES, (System.nanoTime() - t0) / 1_000_000);
            uidValidity = ImapLines.uidValidity(sel);
            modSeq = ImapLines.highestModSeq(sel);
            c.command("z", "LOGOUT");
        }

        // 1% of the messages change: half through the proxy, half directly on the backend.
        Random rnd = new Random(7162);
        TreeSet<Long> changed = new TreeSet<>();
        while (changed.size() < MESSAGES / 100) {
            changed.add(1L + rnd.nextInt(MESSAGES));
        }
        List<Long> all = new ArrayList<>(changed);
        List<Long> viaProxy = all.subList(0, all.size() / 2);
        List<Long> direct = all.subList(all.size() / 2, all.size());
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("a", "SELECT INBOX");
            c.ok("b", "UID STORE " + set(viaProxy) + " +FLAGS (\\Flagged)");
            c.command("z", "LOGOUT");
        }
        try (RawImap d = RawImap.connect("127.0.0.1", backend.port())) {
            d.login("alice", "pw");
            d.ok("a", "SELECT INBOX");
            d.ok("b", "UID STORE " + set(direct) + " +FLAGS (\\Seen $Later)");
            d.command("z", "LOGOUT");
        }

        Map<String, Row> rows = new LinkedHashMap<>();
        rows.put("qresync", new Row("proxy: SELECT INBOX (QRESYNC (uv modseq))"));
        rows.put("condstore", new Row("proxy: SELECT (CONDSTORE) + UID FETCH 1:* (FLAGS) (CHANGEDSINCE m)"));
        rows.put("plainProxy", new Row("proxy: SELECT INBOX + UID FETCH 1:* (FLAGS)"));
        rows.put("plainDirect", new Row("GreenMail direct: SELECT INBOX + UID FETCH 1:* (FLAGS)"));
        for (int run = 0; run <= RUNS; run++) { // run 0 warms up and is not counted
            boolean counted = run > 0;
            measure(
                    rows.get("qresync"),
                    counted,
                    proxy.host(),
                    proxy.port(),
                    true,
                    List.of("SELECT INBOX (QRESYNC (" + uidValidity + " " + modSeq + "))"));
            measure(
                    rows.get("condstore"),
                    counted,
                    proxy.host(),
                    proxy.port(),
                    true,
                    List.of("SELECT INBOX (CONDSTORE)", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + modSeq + ")"));
            measure(
                    rows.get("plainProxy"),
                    counted,
                    proxy.host(),
                    proxy.port(),
                    false,
                    List.of("SELECT INBOX", "UID FETCH 1:* (FLAGS)"));
            measure(
                    rows.get("plainDirect"),
                    counted,
                    "127.0.0.1",
                    backend.port(),
                    false,
                    List.of("SELECT INBOX", "UID FETCH 1:* (FLAGS)"));
        }
        // The answers are right before their figures count: only the 1% with QRESYNC/CHANGEDSINCE, all without.
        assertThat(rows.get("qresync").fetchLines).isEqualTo(changed.size());
        assertThat(rows.get("condstore").fetchLines).isEqualTo(changed.size());
        assertThat(rows.get("plainProxy").fetchLines).isEqualTo(MESSAGES);
        assertThat(rows.get("plainDirect").fetchLines).isEqualTo(MESSAGES);

        Row base = rows.get("qresync");
        StringBuilder table = new StringBuilder();
        table.append(String.format(
                "BENCH resync of a %d-message INBOX, %d messages (1%%) changed, median of %d runs%n",
                MESSAGES, changed.size(), RUNS));
        table.append(String.format(
                "| %-68s | %12s | %8s | %10s | %9s |%n", "resync", "bytes", "x bytes", "median ms", "x time"));
        for (Row r : rows.values()) {
            table.append(String.format(
                    "| %-68s | %12d | %8.1f | %10.1f | %9.2f |%n",
                    r.name, r.bytes, (double) r.bytes / base.bytes, r.medianMs(), r.medianMs() / base.medianMs()));
        }
        System.out.print(table);

        redisMemory(redis, new MailboxId("b1", "alice", "INBOX"));
    }

    /** One resync on a fresh connection: bytes read and time from the first command to the last tagged answer. */
    private static void measure(
            Row row, boolean counted, String host, int port, boolean enableQresync, List<String> commands) {
        try (RawImap c = RawImap.connect(host, port)) {
            c.login("alice", "pw");
            if (enableQresync) {
                c.ok("e", "ENABLE QRESYNC");
            }
            c.resetBytesRead();
            int fetchLines = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < commands.size(); i++) {
                List<String> lines = c.command("r" + i, commands.get(i));
                if (!ImapLines.tagged(lines).startsWith("r" + i + " OK")) {
                    throw new AssertionError(commands.get(i) + " failed: " + ImapLines.tagged(lines));
                }
                fetchLines +=
                        (int) lines.stream().filter(l -> l.contains(" FETCH (")).count();
            }
            long micros = (System.nanoTime() - t0) / 1000;
            long bytes = c.bytesRead();
            // GreenMail keeps per-session state of connections closed without LOGOUT, and every later FETCH gets slower
            c.command("z", "LOGOUT");
            if (counted) {
                row.bytes = bytes;
                row.fetchLines = fetchLines;
                row.micros.add(micros);
            }
        }
    }

    /** Redis memory per message: MEMORY USAGE (all samples) summed over the mailbox's keys. */
    private static void redisMemory(RedisServerFixture redis, MailboxId box) throws IOException {
        @SuppressWarnings("unchecked")
        List<Object> keys = (List<Object>) redis.call("KEYS", "*{" + box.tag() + "}*");
        assertThat(keys).isNotEmpty();
        long total = 0;
        for (Object k : keys) {
            total += (Long) redis.call("MEMORY", "USAGE", (String) k, "SAMPLES", "0");
        }
        String version = ((String) redis.call("INFO", "server"))
                .lines()
                .filter(l -> l.startsWith("redis_version:"))
                .findFirst()
                .orElse("?");
        System.out.printf(
                "BENCH redis memory for INBOX through the proxy: %d keys, %d bytes / %d messages = %.1f bytes/message (%s)%n",
                keys.size(), total, MESSAGES, (double) total / MESSAGES, version);
    }

    private static String set(List<Long> uids) {
        UidSet.Builder b = new UidSet.Builder();
        uids.forEach(b::add);
        return b.build().toImapString();
    }

    /** Fast delivery through GreenMail's API (no SMTP): small text messages, as an MTA would drop them. */
    private static void deliver(GreenMailUser user, int n) throws Exception {
        Session session = Session.getInstance(new Properties());
        for (int i = 1; i <= n; i++) {
            MimeMessage m = new MimeMessage(session);
            m.setFrom("sender@example.org");
            m.setRecipients(Message.RecipientType.TO, user.getEmail());
            m.setSubject("message " + i);
            m.setText("body " + i + "\r\n" + "x".repeat(200));
            m.saveChanges();
            user.deliver(m);
        }
    }
}

package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.user.GreenMailUser;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.proxy.testing.TcpRelay;
import org.modseqproxy.state.testing.RedisServerExtension;

/**
 * {@code state.listingReuse} (issue 15: SELECT (CONDSTORE) of a large unchanged mailbox cost a full listing every
 * time). Within the window a SELECT asks the backend only for deliveries, as exclusive mode does; a flag changed
 * behind the proxy waits for the next full listing. Without it (the default) every SELECT lists and sees that change.
 */
class ListingReuseTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    GreenMailBackend backend;
    ProxyFixture proxy;
    ProxyFixture other;

    @AfterEach
    void stop() {
        if (other != null) {
            other.close();
        }
        proxy.close();
        backend.close();
    }

    private GreenMailUser start(String listingReuse) {
        backend = new GreenMailBackend();
        GreenMailUser alice = backend.userWithMessages("alice", "pw", 5);
        proxy = ProxyFixture.start(
                "127.0.0.1", backend.port(), "memory", c -> c.set("state.listingReuse", listingReuse));
        return alice;
    }

    private double resyncs(String kind) {
        return resyncs(proxy, kind);
    }

    private static double resyncs(ProxyFixture p, String kind) {
        Counter c = p.metrics()
                .registry()
                .find(MeterNames.RESYNCS)
                .tag(MeterNames.TAG_KIND, kind)
                .counter();
        return c == null ? 0 : c.count();
    }

    /** Flags message 2 \Flagged directly on the backend, behind the proxy. */
    private void flagBehindTheProxy() {
        try (RawImap direct = RawImap.connect("127.0.0.1", backend.port()).login("alice", "pw")) {
            direct.ok("s", "SELECT INBOX");
            direct.ok("f", "STORE 2 +FLAGS (\\Flagged)");
        }
    }

    /** Which UIDs {@code UID FETCH 1:* (FLAGS) (CHANGEDSINCE since)} reports. */
    private static void assertChangedSince(RawImap c, long since, Long... uids) {
        List<String> changed = c.command("f", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + since + ")");
        assertThat(changed.stream().flatMap(l -> ImapLines.fetch(l).stream()).map(ImapLines.Fetch::uid))
                .as(ImapLines.shorten(changed))
                .containsExactly(uids);
    }

    private static List<String> select(RawImap c) {
        List<String> sel = c.command("s", "SELECT INBOX (CONDSTORE)");
        assertThat(ImapLines.tagged(sel)).startsWith("s OK");
        return sel;
    }

    @Test
    void withinTheWindowASelectAsksOnlyForDeliveries() {
        GreenMailUser alice = start("1h");
        long highest;
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            highest = ImapLines.highestModSeq(select(c));
        }
        assertThat(resyncs(MeterNames.RESYNC_FULL)).isEqualTo(1);

        flagBehindTheProxy();
        backend.deliver(alice, "new", "a delivery behind the proxy");
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            List<String> sel = select(c);
            assertThat(sel).contains("* 6 EXISTS");
            // the delivery is there, with a mod-sequence of its own; the flag set behind the proxy is not seen yet
            assertChangedSince(c, highest, 6L);
        }
        assertThat(resyncs(MeterNames.RESYNC_FULL)).isEqualTo(1);
        assertThat(resyncs(MeterNames.RESYNC_INCREMENTAL)).isEqualTo(1);
    }

    @Test
    void withoutTheWindowEverySelectListsAndSeesChangesBehindTheProxy() {
        start("0s");
        long highest;
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            highest = ImapLines.highestModSeq(select(c));
        }
        flagBehindTheProxy();
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            select(c);
            assertChangedSince(c, highest, 2L);
        }
        assertThat(resyncs(MeterNames.RESYNC_FULL)).isEqualTo(2);
        assertThat(resyncs(MeterNames.RESYNC_INCREMENTAL)).isZero();
    }

    /**
     * The store records each full listing (ModSeqStore#markListed), so a listing by one instance spares the SELECTs of
     * every instance sharing the Redis within the window, not only its own (issue 15).
     */
    @Test
    void aListingByOneInstanceSparesTheOthersSharingTheStore() {
        backend = new GreenMailBackend();
        GreenMailUser alice = backend.userWithMessages("alice", "pw", 5);
        REDIS.server().flushAll();
        String redis = REDIS.server().uri();
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), redis, c -> c.set("state.listingReuse", "1h"));
        other = ProxyFixture.start("127.0.0.1", backend.port(), redis, c -> c.set("state.listingReuse", "1h"));
        long highest;
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            highest = ImapLines.highestModSeq(select(c));
        }
        flagBehindTheProxy();
        backend.deliver(alice, "new", "a delivery behind the proxy");
        try (RawImap c = other.connect().login("alice", "pw")) {
            assertThat(select(c)).contains("* 6 EXISTS");
            assertChangedSince(c, highest, 6L);
        }
        assertThat(resyncs(proxy, MeterNames.RESYNC_FULL)).isEqualTo(1);
        assertThat(resyncs(other, MeterNames.RESYNC_FULL)).isZero();
        assertThat(resyncs(other, MeterNames.RESYNC_INCREMENTAL)).isEqualTo(1);
        long asked = listingQueries(other);
        assertThat(asked)
                .as("the first SELECT asked the store when the mailbox was listed")
                .isEqualTo(1);
        // the other instance now remembers that listing for the rest of its window: no store call per SELECT
        try (RawImap c = other.connect().login("alice", "pw")) {
            select(c);
            select(c);
        }
        assertThat(listingQueries(other)).isEqualTo(asked);
        assertThat(resyncs(other, MeterNames.RESYNC_INCREMENTAL)).isEqualTo(3);
    }

    /**
     * A SELECT that will trust the store reads it while the backend answers (issue 15: the store's round trip followed
     * the backend's). Shown with the backend frozen: the store is read before the SELECT has even reached it, and the
     * answer still carries another instance's change made since this session's last SELECT.
     */
    @Test
    void aSelectWithinTheWindowReadsTheStoreWhileTheBackendAnswers() {
        backend = new GreenMailBackend();
        backend.userWithMessages("alice", "pw", 5);
        REDIS.server().flushAll();
        String redis = REDIS.server().uri();
        try (TcpRelay relay = new TcpRelay("127.0.0.1", backend.port())) {
            proxy = ProxyFixture.start("127.0.0.1", relay.port(), redis, c -> c.set("state.listingReuse", "1h"));
            other = ProxyFixture.start("127.0.0.1", backend.port(), redis, c -> c.set("state.listingReuse", "1h"));
            try (RawImap c = proxy.connect().login("alice", "pw")) {
                long highest = ImapLines.highestModSeq(select(c));
                long changed;
                try (RawImap o = other.connect().login("alice", "pw")) {
                    select(o);
                    changed = ImapLines.fetchModSeq(o.command("f", "STORE 2 +FLAGS (\\Flagged)"));
                }
                long loads = storeCalls(proxy, "load");
                relay.freeze();
                c.send("s2 SELECT INBOX (CONDSTORE)\r\n");
                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(
                                () -> assertThat(storeCalls(proxy, "load")).isEqualTo(loads + 1));
                String sent = relay.linkThatSent("SELECT").sentByProxy();
                assertThat(sent.indexOf("SELECT"))
                        .as("the backend has not had the second SELECT yet")
                        .isEqualTo(sent.lastIndexOf("SELECT"));
                relay.thaw();
                List<String> sel = c.readUntilTagged("s2");
                assertThat(ImapLines.tagged(sel)).startsWith("s2 OK");
                assertThat(ImapLines.highestModSeq(sel)).isEqualTo(changed);
                assertChangedSince(c, highest, 2L);
                assertThat(storeCalls(proxy, "load")).as("no second read").isEqualTo(loads + 1);
            }
            assertThat(resyncs(proxy, MeterNames.RESYNC_FULL)).isEqualTo(1);
            assertThat(resyncs(proxy, MeterNames.RESYNC_INCREMENTAL)).isEqualTo(1);
        }
    }

    /** The early read is of the UIDVALIDITY last seen: a mailbox recreated behind the proxy is listed afresh. */
    @Test
    void anEarlyReadOfAnotherUidValidityIsNotUsed() {
        start("1h");
        try (RawImap direct = RawImap.connect("127.0.0.1", backend.port()).login("alice", "pw")) {
            direct.ok("c", "CREATE Work");
            direct.append("a", "Work", "()", "Subject: one\r\n\r\nfirst\r\n");
        }
        long uv;
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            uv = ImapLines.uidValidity(c.command("s", "SELECT Work (CONDSTORE)"));
        }
        // GreenMail's UIDVALIDITY is the creation second: recreate in a later one
        await().atMost(Duration.ofSeconds(30)).until(() -> System.currentTimeMillis() / 1000 > uv);
        try (RawImap direct = RawImap.connect("127.0.0.1", backend.port()).login("alice", "pw")) {
            direct.ok("d", "RENAME Work Old");
            direct.ok("c", "CREATE Work");
            direct.append("a", "Work", "()", "Subject: two\r\n\r\nsecond\r\n");
            direct.append("b", "Work", "(\\Seen)", "Subject: three\r\n\r\nthird\r\n");
        }
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            List<String> sel = c.command("s", "SELECT Work (CONDSTORE)");
            assertThat(ImapLines.tagged(sel)).startsWith("s OK");
            assertThat(ImapLines.uidValidity(sel)).isNotEqualTo(uv);
            assertThat(sel).contains("* 2 EXISTS");
            List<String> flags = c.command("f", "FETCH 1:* (FLAGS)");
            assertThat(flags.stream()
                            .flatMap(l -> ImapLines.fetch(l).stream())
                            .map(f -> f.flags().toString()))
                    .as(ImapLines.shorten(flags))
                    .hasSize(2);
            assertThat(String.join("\n", flags)).contains("\\Seen");
        }
        assertThat(resyncs(MeterNames.RESYNC_FULL)).isEqualTo(2);
    }

    /** Store calls of one operation made by one instance. */
    private static long storeCalls(ProxyFixture p, String op) {
        return p.metrics().registry().find("modseq.store.duration").tag("op", op).timers().stream()
                .mapToLong(t -> t.count())
                .sum();
    }

    /** Store calls about listings (ask and mark) made by one instance. */
    private static long listingQueries(ProxyFixture p) {
        return p.metrics().registry().find("modseq.store.duration").tag("op", "listed").timers().stream()
                .mapToLong(t -> t.count())
                .sum();
    }
}

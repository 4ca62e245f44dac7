package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import io.micrometer.core.instrument.Counter;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;
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

    /** Store calls about listings (ask and mark) made by one instance. */
    private static long listingQueries(ProxyFixture p) {
        return p.metrics().registry().find("modseq.store.duration").tag("op", "listed").timers().stream()
                .mapToLong(t -> t.count())
                .sum();
    }
}

package org.modseqproxy.proxy.multi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.HoldingRelay;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.proxy.testing.TwoProxies;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.MailboxSnapshot;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.ModSeqStores;
import org.modseqproxy.state.StoreOptions;
import org.modseqproxy.state.testing.RedisServerExtension;

/**
 * Deterministic reproduction of bug 2 of the wt-multi report (seen at random in TwoInstancesConcurrencyTest). Instance
 * 2 reaches the backend through a {@link HoldingRelay}: its SELECT-time listing is answered by the backend (message 1
 * without flags) and held back; meanwhile a client of instance 1 sets \Seen on messages 1 and 2 (MODSEQ m1 < m2).
 * Then the stale listing is released. The listing's sync reverts both messages in Redis to "no flags" with a new
 * mod-sequence m3, although the backend has \Seen. When the client of instance 1 then really clears \Seen on message
 * 1 (after another change, m4), the store finds "no change" and the client is told MODSEQ m3 for its new change:
 * lower than m4, and already used by another batch.
 */
class StaleListingTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    TwoProxies two;
    GreenMailBackend backend;
    HoldingRelay relay;
    ProxyFixture p1;
    ProxyFixture p2;

    @BeforeEach
    void start() {
        REDIS.server().flushAll();
        two = TwoProxies.startSecondThroughRelay(REDIS.server().uri());
        backend = two.backend;
        relay = two.relay;
        p1 = two.p1;
        p2 = two.p2;
        backend.userWithMessages("alice", "pw", 5);
    }

    @AfterEach
    void stop() {
        two.close();
    }

    @Test
    void aListingOlderThanAnotherInstancesChangeDoesNotRevertIt() throws Exception {
        try (RawImap a = p1.connect().login("alice", "pw");
                RawImap c = p2.connect().login("alice", "pw")) {
            a.ok("s", "SELECT INBOX (CONDSTORE)");
            relay.holdAfter("UID FETCH 1:* (FLAGS)");
            c.send("s SELECT INBOX (CONDSTORE)\r\n");
            assertThat(relay.awaitHeld(5000)).isTrue();
            assertThat(relay.awaitHeldCompletion(10_000))
                    .as("the backend answered the listing")
                    .isTrue(); // held in the relay

            long m1 = ImapLines.modSeqOf(a.command("a1", "UID STORE 1 +FLAGS (\\Seen)"), 1);
            long m2 = ImapLines.modSeqOf(a.command("a2", "UID STORE 2 +FLAGS (\\Seen)"), 2);
            relay.release();
            List<String> sel = c.readUntilTagged("s");
            assertThat(ImapLines.tagged(sel)).startsWith("s OK");
            long hmsC = ImapLines.highestModSeq(sel);

            MailboxSnapshot stored;
            try (ModSeqStore inspect = ModSeqStores.create(
                    REDIS.server().uri(), StoreOptions.defaults().withNearCacheMaxMailboxes(0))) {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(inspect::available);
                long uv = ImapLines.uidValidity(sel);
                stored = inspect.load(new MailboxId("b1", "alice", "INBOX"), uv)
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS)
                        .orElseThrow();
            }
            long m3 = ImapLines.modSeqOf(a.command("a3", "UID STORE 3 +FLAGS (\\Seen)"), 3);
            long m4 = ImapLines.modSeqOf(a.command("a4", "UID STORE 1 -FLAGS (\\Seen)"), 1);

            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(stored.get(1).orElseThrow().flags())
                    .as("message 1 in Redis after the stale listing was applied")
                    .isEqualTo(Flags.of("\\Seen"));
            soft.assertThat(stored.get(2).orElseThrow().flags())
                    .as("message 2 in Redis after the stale listing was applied")
                    .isEqualTo(Flags.of("\\Seen"));
            soft.assertThat(m4)
                    .as("MODSEQ of A's 4th change (m1=%d m2=%d, C's HIGHESTMODSEQ=%d, m3=%d)", m1, m2, hmsC, m3)
                    .isGreaterThan(m3);
            soft.assertAll();
        }
    }
}

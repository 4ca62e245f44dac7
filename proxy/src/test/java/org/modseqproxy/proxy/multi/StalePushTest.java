package org.modseqproxy.proxy.multi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.modseqproxy.proxy.testing.HoldingRelay;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.proxy.testing.TwoProxies;
import org.modseqproxy.state.testing.RedisServerExtension;

/**
 * Issue 9 defect 13, found again by TwoInstancesConcurrencyTest once the backend stopped dropping sessions. Session
 * B (instance 2, behind a {@link HoldingRelay}) is told by the backend that message 1 is \Seen, but that push is held
 * on its way while A (instance 1) clears \Seen again. Instance 2 used to record the old \Seen as a change of its own
 * (the store then said \Seen while the backend said no flags), and when A set \Seen once more, after a STORE on
 * another message, the store already held \Seen: A was answered with the mod-sequence of that old push, lower than
 * its previous STORE's. RFC 7162 3.1: "for any two successful
 * STORE operations performed in the same session on the same mailbox, the mod-sequence of the second completed
 * operation MUST be greater than the mod-sequence of the first completed operation."
 */
class StalePushTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    TwoProxies two;
    HoldingRelay relay;

    @BeforeEach
    void start() {
        REDIS.server().flushAll();
        two = TwoProxies.startSecondThroughRelay(REDIS.server().uri());
        relay = two.relay;
        two.backend.userWithMessages("alice", "pw", 3);
    }

    @AfterEach
    void stop() {
        two.close();
    }

    @Test
    void aStoreAfterAnotherInstanceRecordedAnOldPushStillGetsAHigherModSeq() throws Exception {
        try (RawImap a = two.p1.connect().login("alice", "pw");
                RawImap b = two.p2.connect().login("alice", "pw")) {
            a.ok("s", "SELECT INBOX (CONDSTORE)");
            b.ok("s", "SELECT INBOX (CONDSTORE)");
            long m1 = ImapLines.modSeqOf(a.command("a1", "UID STORE 1 +FLAGS (\\Seen)"), 1);

            relay.holdAfter(" NOOP");
            b.send("b1 NOOP\r\n");
            assertThat(relay.awaitHeld(5000)).isTrue();
            assertThat(relay.awaitHeldCompletion(10_000))
                    .as("the backend answered B's NOOP (with the push for message 1)")
                    .isTrue();
            long m2 = ImapLines.modSeqOf(a.command("a2", "UID STORE 1 -FLAGS (\\Seen)"), 1);
            relay.release();
            List<String> noop = b.readUntilTagged("b1");
            // the old report does not revert A's change: B is told the state the store holds, with its mod-sequence
            assertThat(noop).anyMatch(l -> l.startsWith("* 1 FETCH") && l.contains("FLAGS ()"));
            assertThat(ImapLines.modSeqOf(noop, 1)).isEqualTo(m2);

            long m3 = ImapLines.modSeqOf(a.command("a3", "UID STORE 2 +FLAGS (\\Flagged)"), 2);
            long m4 = ImapLines.modSeqOf(a.command("a4", "UID STORE 1 +FLAGS (\\Seen)"), 1);
            assertThat(List.of(m1, m2, m3, m4))
                    .as("MODSEQs of A's four STOREs, in the order they completed")
                    .isSortedAccordingTo(Long::compare)
                    .doesNotHaveDuplicates();
        }
    }

    /**
     * The same race on a STORE's own answer: B's +\Flagged is applied by the backend, its answer held on the way, and
     * A's +\Seen lands after it and is recorded first. B's answer must not revert the store to "\Flagged" (the backend
     * holds both flags): B is told the state its STORE is part of, and gets a mod-sequence of its own.
     */
    @Test
    void aStoreAnswerOlderThanAnotherInstancesRecordIsAppliedToThatRecord() throws Exception {
        try (RawImap a = two.p1.connect().login("alice", "pw");
                RawImap b = two.p2.connect().login("alice", "pw")) {
            a.ok("s", "SELECT INBOX (CONDSTORE)");
            b.ok("s", "SELECT INBOX (CONDSTORE)");
            relay.holdAfter(" STORE ");
            b.send("b1 UID STORE 1 +FLAGS (\\Flagged)\r\n");
            assertThat(relay.awaitHeld(5000)).isTrue();
            assertThat(relay.awaitHeldCompletion(10_000))
                    .as("the backend answered B's STORE")
                    .isTrue();
            long ma = ImapLines.modSeqOf(a.command("a1", "UID STORE 1 +FLAGS (\\Seen)"), 1);
            relay.release();
            List<String> stored = b.readUntilTagged("b1");
            assertThat(ImapLines.tagged(stored)).startsWith("b1 OK");
            long mb = ImapLines.modSeqOf(stored, 1);
            assertThat(stored)
                    .anyMatch(l -> l.startsWith("* 1 FETCH") && l.contains("\\Flagged") && l.contains("\\Seen"));
            assertThat(mb).as("B's STORE and A's STORE: two mod-sequences").isGreaterThan(ma);

            List<String> fetch;
            try (RawImap c = two.p1.connect().login("alice", "pw")) {
                c.ok("s", "SELECT INBOX (CONDSTORE)");
                fetch = c.command("c1", "UID FETCH 1 (FLAGS MODSEQ)");
            }
            assertThat(fetch)
                    .as("message 1 for a new session (A's STORE %d, B's %d)", ma, mb)
                    .anyMatch(
                            l -> l.contains("\\Flagged") && l.contains("\\Seen") && l.contains("MODSEQ (" + mb + ")"));
        }
    }
}

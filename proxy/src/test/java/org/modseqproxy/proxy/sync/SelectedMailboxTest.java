package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.modseqproxy.state.ChangeSet;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.MessageState;
import org.modseqproxy.state.UidSet;
import org.modseqproxy.state.impl.MailboxState;

/**
 * The session's view against the store's snapshots when another session expunges behind it. Found by the protocol
 * differential against native Dovecot (seed 16): the proxy's SEARCH MODSEQ stopped finding a message as soon as the
 * store forgot it, although this client was not yet told of its expunge (RFC 9051 7.5.1 forbids EXPUNGE during SEARCH)
 * and Dovecot's own session still finds it with its last mod-sequence.
 */
class SelectedMailboxTest {
    private static final long UV = 7;

    private static MailboxState snapshot(long hms, MessageState... messages) {
        return MailboxState.of(UV, hms, 1, List.of(messages));
    }

    /** A message flagged \Deleted, as EXPUNGE wants it (RFC 9051 6.4.3). */
    private static MessageState m(long uid, long modSeq) {
        return new MessageState(uid, modSeq, Flags.of("\\Deleted"));
    }

    private static SelectedMailbox viewOf(long... uids) {
        SelectedMailbox mb = new SelectedMailbox("INBOX", new MailboxId("b", "user", "INBOX"), false, UV);
        mb.reset(uids);
        return mb;
    }

    @Test
    void aMessageExpungedBehindTheSessionKeepsItsModSeqUntilTheClientIsTold() {
        SelectedMailbox mb = viewOf(3, 4);
        mb.snapshot(snapshot(20, m(3, 9), m(4, 5)));
        // another session expunged UID 3 and appended UID 5; this session's backend has not said EXPUNGE yet
        mb.snapshot(snapshot(22, m(4, 5), m(5, 22)));

        assertThat(mb.changedSince(8).toImapString()).isEqualTo("3,5");
        assertThat(mb.modSeqOf(3)).isEqualTo(9);

        mb.expunge(1); // "* 1 EXPUNGE" reaches the client: the message is gone from its view too
        assertThat(mb.changedSince(8).toImapString()).isEqualTo("5");
        assertThat(mb.modSeqOf(3)).isEqualTo(22); // unknown now: the mailbox's highest, never 0
    }

    @Test
    void aLaterSnapshotDoesNotForgetWhatAnEarlierOneLost() {
        SelectedMailbox mb = viewOf(3, 4);
        mb.snapshot(snapshot(20, m(3, 9), m(4, 5)));
        mb.snapshot(snapshot(21, m(4, 5)));
        mb.snapshot(snapshot(23, m(4, 23)));

        assertThat(mb.changedSince(8).toImapString()).isEqualTo("3:4");
        assertThat(mb.changedSince(9).toImapString()).isEqualTo("4");
    }

    @Test
    void aNewListingStartsAfresh() {
        SelectedMailbox mb = viewOf(3, 4);
        mb.snapshot(snapshot(20, m(3, 9), m(4, 5)));
        mb.snapshot(snapshot(21, m(4, 5)));
        mb.reset(new long[] {4});

        assertThat(mb.changedSince(1).toImapString()).isEqualTo("4");
    }

    @Test
    void aDepartedMessageStoredAgainTakesTheStoresModSeq() {
        SelectedMailbox mb = viewOf(3, 4);
        mb.snapshot(snapshot(20, m(3, 9), m(4, 5)));
        mb.snapshot(snapshot(21, m(4, 5)));
        // the backend reported UID 3's flags and the funnel stored them again (mod-sequence 22)
        mb.snapshot(snapshot(22, m(3, 22), m(4, 5)));

        assertThat(mb.departed(3)).isFalse();
        assertThat(mb.modSeqOf(3)).isEqualTo(22);
        assertThat(mb.changedSince(9).toImapString()).isEqualTo("3");
    }

    /**
     * Differential seeds 313, 314 and 357: the message was not flagged \Deleted in the last snapshot this session
     * read, so it got the flag (a change) after it and before its EXPUNGE; Dovecot's session reports it with that
     * change's mod-sequence, above the old snapshot's HIGHESTMODSEQ.
     */
    @Test
    void aMessageThatGotDeletedBehindTheSessionCountsAsChangedAfterItsLastSnapshot() {
        SelectedMailbox mb = viewOf(3, 4);
        mb.snapshot(snapshot(20, new MessageState(3, 9, Flags.of("\\Seen")), m(4, 5)));
        mb.snapshot(snapshot(23, m(4, 5)));

        assertThat(mb.modSeqOf(3)).isEqualTo(21);
        assertThat(mb.changedSince(20).toImapString()).isEqualTo("3");
        assertThat(mb.changedSince(21).isEmpty()).isTrue();
    }

    /**
     * Differential seeds 43 and 58: another session MOVEd the message away (RFC 6851), which changes no flag; Dovecot's
     * session keeps reporting the mod-sequence it had, where the estimate above made SEARCH MODSEQ name it as changed.
     * A snapshot the store derived by applying the expunge remembers the state the message left with.
     */
    @Test
    void aMessageMovedAwayKeepsTheModSeqItHad() {
        SelectedMailbox mb = viewOf(3, 4);
        MailboxState seen = snapshot(20, new MessageState(3, 9, Flags.of("\\Seen")), m(4, 5));
        mb.snapshot(seen);
        mb.snapshot(seen.apply(ChangeSet.expunge(UidSet.of(3)), 21).state());

        assertThat(mb.departed(3)).isTrue();
        assertThat(mb.modSeqOf(3)).isEqualTo(9);
        assertThat(mb.changedSince(9).isEmpty()).isTrue();
    }

    /** The \Deleted went through the store after the last snapshot this session read: that STORE's value counts. */
    @Test
    void aMessageDeletedThroughTheStoreKeepsTheModSeqOfItsDeletion() {
        SelectedMailbox mb = viewOf(3, 4);
        MailboxState seen = snapshot(20, new MessageState(3, 9, Flags.of("\\Seen")), m(4, 5));
        mb.snapshot(seen);
        MailboxState later = seen.apply(ChangeSet.upsert(4, Flags.of("\\Flagged")), 21)
                .state()
                .apply(ChangeSet.upsert(3, Flags.of("\\Seen", "\\Deleted")), 22)
                .state()
                .apply(ChangeSet.expunge(UidSet.of(3)), 23)
                .state();
        mb.snapshot(later);

        assertThat(mb.modSeqOf(3)).isEqualTo(22);
        assertThat(mb.changedSince(21).toImapString()).isEqualTo("3");
        assertThat(mb.changedSince(22).isEmpty()).isTrue();
    }
}

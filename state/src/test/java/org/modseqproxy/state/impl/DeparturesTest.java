package org.modseqproxy.state.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modseqproxy.state.ChangeSet;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.MessageState;
import org.modseqproxy.state.UidSet;

/** What a snapshot remembers of the messages expunged from the snapshots it was derived from (departedState). */
class DeparturesTest {
    private static final long UV = 3;

    private static MailboxState mailbox(int messages) {
        List<MessageState> all = new ArrayList<>();
        for (long uid = 1; uid <= messages; uid++) {
            all.add(new MessageState(uid, 10, Flags.of("\\Seen")));
        }
        return MailboxState.of(UV, 10, 1, all);
    }

    @Test
    void anExpungedMessageLeavesWithTheStateTheStoreHeld() {
        MailboxState s = mailbox(5)
                .apply(ChangeSet.upsert(2, Flags.of("\\Seen", "\\Deleted")), 11)
                .state()
                .apply(ChangeSet.expunge(UidSet.of(2, 4)), 12)
                .state();

        assertThat(s.departedState(2)).contains(new MessageState(2, 11, Flags.of("\\Seen", "\\Deleted")));
        assertThat(s.departedState(4)).contains(new MessageState(4, 10, Flags.of("\\Seen")));
        assertThat(s.departedState(3)).isEmpty(); // still there
        assertThat(s.departedState(9)).isEmpty(); // never there
        // what is derived later still remembers; what is read back (as from Redis) does not
        MailboxState later = s.apply(ChangeSet.upsert(1, Flags.of()), 13).state();
        assertThat(later.departedState(2)).isPresent();
        assertThat(later.withHighestModSeq(14).departedState(4)).isPresent();
        assertThat(MailboxState.of(UV, 13, 1, later.messages()).departedState(2))
                .isEmpty();
    }

    @Test
    void aMessageStoredAgainAndExpungedAgainLeavesWithItsNewerState() {
        MailboxState s = mailbox(3)
                .apply(ChangeSet.expunge(UidSet.of(2)), 11)
                .state()
                .apply(ChangeSet.upsert(2, Flags.of("\\Flagged")), 12)
                .state()
                .apply(ChangeSet.expunge(UidSet.of(2)), 13)
                .state();

        assertThat(s.departedState(2)).contains(new MessageState(2, 12, Flags.of("\\Flagged")));
    }

    @Test
    void onlyTheNewestExpungesAreRemembered() {
        MailboxState s = mailbox(400);
        long modSeq = 11;
        for (long uid = 1; uid <= 300; uid++) { // one expunge per batch, oldest first
            s = s.apply(ChangeSet.expunge(UidSet.of(uid)), modSeq++).state();
        }
        assertThat(s.departedState(300 - Departures.LIMIT)).isEmpty();
        assertThat(s.departedState(301 - Departures.LIMIT)).isPresent();
        assertThat(s.departedState(300)).isPresent();

        // one batch larger than the limit keeps its highest UIDs
        MailboxState big =
                mailbox(400).apply(ChangeSet.expunge(UidSet.range(1, 400)), 11).state();
        Map<Boolean, Integer> remembered = new HashMap<>();
        for (long uid = 1; uid <= 400; uid++) {
            remembered.merge(big.departedState(uid).isPresent(), 1, Integer::sum);
        }
        assertThat(remembered.get(true)).isEqualTo(Departures.LIMIT);
        assertThat(big.departedState(400)).isPresent();
        assertThat(big.departedState(400 - Departures.LIMIT)).isEmpty();
    }
}

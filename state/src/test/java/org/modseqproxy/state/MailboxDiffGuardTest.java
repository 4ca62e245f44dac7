package org.modseqproxy.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modseqproxy.state.impl.InMemoryModSeqStore;

/** A listing taken before a change stored by another instance must not revert it (Listing.observedModSeq). */
class MailboxDiffGuardTest {
    @Test
    void staleListingDoesNotRevertANewerStoredChange() throws Exception {
        try (ModSeqStore store = new InMemoryModSeqStore(StoreOptions.defaults())) {
            MailboxId id = new MailboxId("b", "u", "INBOX");
            long[] uids = {1, 2, 3};
            Flags[] none = {Flags.EMPTY, Flags.EMPTY, Flags.EMPTY};
            store.sync(id, Listing.of(7, uids, none)).toCompletableFuture().get();
            long observed = store.highestModSeq(id, 7).toCompletableFuture().get();
            // another instance sets \Seen on 2 after "our" listing was asked for
            store.apply(id, 7, new ChangeSet(Map.of(2L, Flags.of("\\Seen")), UidSet.empty()))
                    .toCompletableFuture()
                    .get();
            MailboxSnapshot now = store.load(id, 7).toCompletableFuture().get().orElseThrow();
            // our listing still shows 2 without \Seen, and a real change on 3 made before it was taken
            Flags[] listed = {Flags.EMPTY, Flags.EMPTY, Flags.of("\\Flagged")};
            ChangeSet guarded = MailboxDiff.compute(now, new Listing(7, 4, uids, listed, observed));
            assertThat(guarded.upserts()).containsOnlyKeys(3L);
            ChangeSet unguarded = MailboxDiff.compute(now, new Listing(7, 4, uids, listed));
            assertThat(unguarded.upserts()).containsOnlyKeys(2L, 3L);
        }
    }
}

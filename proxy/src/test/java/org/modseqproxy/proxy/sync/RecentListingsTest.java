package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.modseqproxy.state.MailboxId;

/** Another instance's listing, as the store dates it, counts for what is left of the window and no longer. */
class RecentListingsTest {
    private static final MailboxId INBOX = new MailboxId("b1", "alice", "INBOX");
    private static final MailboxId WORK = new MailboxId("b1", "alice", "Work");
    private final RecentListings recent = new RecentListings(Duration.ofMinutes(10));

    @Test
    void aListingWithinTheWindowIsRemembered() {
        assertThat(recent.recent(INBOX)).isFalse();
        assertThat(recent.listedAgo(INBOX, System.nanoTime(), Duration.ofMinutes(9)))
                .isTrue();
        assertThat(recent.recent(INBOX)).isTrue();
        assertThat(recent.recent(WORK)).isFalse();
    }

    @Test
    void aListingOlderThanTheWindowIsNot() {
        assertThat(recent.listedAgo(INBOX, System.nanoTime(), Duration.ofMinutes(11)))
                .isFalse();
        assertThat(recent.recent(INBOX)).isFalse();
    }

    @Test
    void theAgeCountsFromWhenTheStoreWasAsked() {
        // asked 9.5 minutes ago (a reply that took that long), listed a minute before: 10.5 minutes old now
        long asked = System.nanoTime() - Duration.ofSeconds(570).toNanos();
        assertThat(recent.listedAgo(INBOX, asked, Duration.ofMinutes(1))).isFalse();
        assertThat(recent.recent(INBOX)).isFalse();
    }

    @Test
    void anOlderReportNeverAgesANewerListing() {
        recent.listed(INBOX);
        recent.listedAgo(INBOX, System.nanoTime(), Duration.ofMinutes(9).plusSeconds(59));
        assertThat(recent.recent(INBOX)).isTrue();
    }

    @Test
    void aZeroWindowRemembersNothing() {
        RecentListings off = new RecentListings(Duration.ZERO);
        assertThat(off.on()).isFalse();
        assertThat(off.listedAgo(INBOX, System.nanoTime(), Duration.ZERO)).isFalse();
        assertThat(off.recent(INBOX)).isFalse();
    }
}

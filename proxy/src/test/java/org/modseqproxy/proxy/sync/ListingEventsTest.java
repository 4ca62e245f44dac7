package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.sync.ListingEvents.Event;
import org.modseqproxy.proxy.sync.ListingEvents.Verdict;

/** When the backend's EXISTS/EXPUNGE come relative to the listed lines decides what the listing is worth. */
class ListingEventsTest {
    private static ListingEvents lines(ListingEvents e, int n) {
        for (int i = 0; i < n; i++) {
            e.line();
        }
        return e;
    }

    @Test
    void nothingHappened() {
        assertThat(lines(new ListingEvents(), 5).verdict()).isEqualTo(Verdict.AS_LISTED);
    }

    @Test
    void beforeTheFirstLineTheListingAlreadyShowsIt() {
        ListingEvents e = new ListingEvents();
        e.expunge(2);
        e.exists(6);
        assertThat(lines(e, 5).verdict()).isEqualTo(Verdict.AS_LISTED);
    }

    @Test
    void afterTheLastLineItIsAppliedInOrder() {
        // Dovecot: "* 1 FETCH (UID 1 ...)" ... "* 4 FETCH (UID 4 ...)", "* 2 EXPUNGE", "* 4 EXISTS", tagged OK
        ListingEvents e = lines(new ListingEvents(), 4);
        e.expunge(2);
        e.exists(4);
        assertThat(e.verdict()).isEqualTo(Verdict.APPLY_TRAILING);
        assertThat(e.trailing()).containsExactly(new Event(true, 2, 4), new Event(false, 4, 4));
    }

    @Test
    void leadingOnesAreNotAppliedAgain() {
        ListingEvents e = new ListingEvents();
        e.expunge(1);
        lines(e, 3);
        e.expunge(3);
        assertThat(e.verdict()).isEqualTo(Verdict.APPLY_TRAILING);
        assertThat(e.trailing()).containsExactly(new Event(true, 3, 3));
    }

    @Test
    void inTheMiddleTheNumberingCannotBeTrusted() {
        ListingEvents e = lines(new ListingEvents(), 2);
        e.expunge(1);
        lines(e, 2);
        assertThat(e.verdict()).isEqualTo(Verdict.LIST_AGAIN);
    }

    @Test
    void aFlagChangeWithoutUidAfterAnEventIsInTheNewNumbering() {
        ListingEvents e = lines(new ListingEvents(), 3);
        e.expunge(1);
        e.uidlessLine();
        assertThat(e.verdict()).isEqualTo(Verdict.LIST_AGAIN);
    }

    @Test
    void anEmptyListingTakesEverythingAsTrailing() {
        ListingEvents e = new ListingEvents();
        e.exists(1);
        assertThat(e.verdict()).isEqualTo(Verdict.APPLY_TRAILING);
        assertThat(e.trailing()).isEqualTo(List.of(new Event(false, 1, 0)));
    }

    @Test
    void dovecotsListingAddsUpOnceTheTrailingExpungeIsApplied() {
        // the session counted 4; Dovecot lists all 4 (UID 2 included), then "* 2 EXPUNGE"
        ListingEvents e = lines(new ListingEvents(), 4);
        e.expunge(2);
        assertThat(e.countAfter(4)).isEqualTo(3);
        assertThat(e.trailingCountFrom(4)).isEqualTo(3);
    }

    @Test
    void greenMailsListingDoesNotAddUpWhenTheExpungeIsAppliedTwice() {
        // the session counted 4; GreenMail lists the 3 still in its store, then reports "* 2 EXPUNGE"
        ListingEvents e = lines(new ListingEvents(), 3);
        e.expunge(2);
        assertThat(e.countAfter(4)).isEqualTo(3);
        assertThat(e.trailingCountFrom(3)).as("applied on top: one too few").isEqualTo(2);
    }

    @Test
    void existsSetsTheCount() {
        ListingEvents e = lines(new ListingEvents(), 3);
        e.exists(5);
        e.expunge(1);
        assertThat(e.countAfter(3)).isEqualTo(4);
    }
}

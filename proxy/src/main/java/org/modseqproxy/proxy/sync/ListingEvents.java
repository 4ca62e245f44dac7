package org.modseqproxy.proxy.sync;

import java.util.ArrayList;
import java.util.List;

/**
 * What happened to the backend's numbering while a listing ({@code UID FETCH 1:* (FLAGS)}) ran (pure, no I/O). The
 * listing builds the view from UIDs, so an EXPUNGE or EXISTS the backend sends meanwhile is harmless when it comes
 * before the first listed line (the lines already number the mailbox after it) and must be applied on top of the
 * listing when it comes after the last one (Dovecot reports other sessions' changes at the end of a command). Only one
 * in between, or a flag change without UID after one (its number is in the new numbering), makes the listing's
 * numbering unreliable: list again. Applying the trailing ones, instead of listing again and finally keeping a stale
 * listing, is what keeps the view's sequence numbers the backend's (imaptest stress: "UID changed for sequence n").
 */
final class ListingEvents {
    /** An EXPUNGE n (RFC 9051 7.5.1) or EXISTS n (7.4.1), and how many listed lines with UID had arrived before it. */
    record Event(boolean expunge, long number, int linesBefore) {}

    /** The verdict once the listing is done. */
    enum Verdict {
        /** Nothing arrived, or everything came before the first line: the listing is the backend's numbering. */
        AS_LISTED,
        /** Everything else came after the last line: apply {@link #trailing()} to the listed view, in order. */
        APPLY_TRAILING,
        /** Something came in the middle: the listing's numbering cannot be trusted. */
        LIST_AGAIN
    }

    private final List<Event> events = new ArrayList<>();
    private int lines;
    private boolean uidlessAfterEvent;
    private boolean numberingOff;

    /**
     * The listed lines' own sequence numbers, in UID order, were not 1..n: the backend skipped a message its session
     * still counts (GreenMail lists only what is still in the store, then reports the EXPUNGE). The listing is not
     * the session's numbering, whatever came when.
     */
    void numberingOff() {
        numberingOff = true;
    }

    /** A listed line with its UID. */
    void line() {
        lines++;
    }

    /** A FETCH without UID (another session's flag change): its number is only meaningful before any event. */
    void uidlessLine() {
        if (!events.isEmpty()) {
            uidlessAfterEvent = true;
        }
    }

    void expunge(long number) {
        events.add(new Event(true, number, lines));
    }

    void exists(long number) {
        events.add(new Event(false, number, lines));
    }

    boolean any() {
        return !events.isEmpty();
    }

    Verdict verdict() {
        if (uidlessAfterEvent || numberingOff) {
            return Verdict.LIST_AGAIN;
        }
        boolean trailing = false;
        for (Event e : events) {
            if (e.linesBefore() == lines && lines > 0 || lines == 0) {
                trailing = true;
            } else if (e.linesBefore() > 0 || trailing) {
                return Verdict.LIST_AGAIN; // in the middle, or a leading one after a trailing one (impossible: guarded)
            }
        }
        return trailing ? Verdict.APPLY_TRAILING : Verdict.AS_LISTED;
    }

    /**
     * The backend session's message count after these events, from its count before the listing: what the listed view
     * must add up to (RFC 9051 7.4.1 EXISTS gives the count, 7.5.1 each EXPUNGE takes one). A listing that does not
     * (GreenMail lists only what is still in its store, yet reports the EXPUNGE afterwards) is not the session's.
     */
    long countAfter(long before) {
        return count(before, events);
    }

    /** The view's count once {@link #trailing()} is applied to a listing of {@code listed} messages. */
    long trailingCountFrom(long listed) {
        return count(listed, trailing());
    }

    private static long count(long from, List<Event> events) {
        long n = from;
        for (Event e : events) {
            n = e.expunge() ? n - 1 : Math.max(n, e.number());
        }
        return n;
    }

    /** The events after the last listed line, in arrival order. */
    List<Event> trailing() {
        return events.stream().filter(e -> e.linesBefore() == lines).toList();
    }
}

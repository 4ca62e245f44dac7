package org.modseqproxy.state;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Where fresh HIGHESTMODSEQ counters start: milliseconds since {@link #ORIGIN_MILLIS} (2026-01-01T00:00Z), but never
 * at or below a mod-sequence this process has already handed out (the wall clock may step back; a counter may run
 * ahead of it).
 *
 * <p>Why a clock at all: a counter that is lost (keys evicted or flushed, a failover to a replica without the last
 * writes) must restart above every mod-sequence it handed out before, or a client resyncing from one of those would
 * be told that nothing changed (RFC 7162 3.1: a newer change always has a greater mod-sequence; 3.2.5: the client's
 * remembered value is the point it resyncs from). Nothing of the lost state is left to say how far it got, but its
 * start was an earlier reading of this clock and it advanced by one per change, so a reading taken now is above it
 * unless the counter averaged more than 1,000 changes a second since it started. A client that still presents a
 * value above the new counter is caught where it presents it ({@code ModSeqAnswers.changedSince} in the proxy: the
 * whole mailbox is reported as changed).
 *
 * <p>Why milliseconds from 2026, not microseconds from 1970: every MODSEQ, HIGHESTMODSEQ and VANISHED-carrying answer
 * spells the number out, once per changed message. Milliseconds since 2026 have 11 digits until 2029 and 12 until
 * 2057; microseconds since 1970 had 16 (issue 15: a full flag listing of 200 messages cost 1.7x Dovecot's bytes).
 * Counters made by earlier versions (microseconds) keep counting from where they are: a start is always above the
 * stored value when one is left ({@code common.lua ensure}).
 */
public final class ModSeqClock {

    /** 2026-01-01T00:00:00Z in milliseconds since 1970. */
    public static final long ORIGIN_MILLIS = 1_767_225_600_000L;

    private static final AtomicLong FLOOR = new AtomicLong();

    private ModSeqClock() {}

    /** The clock: milliseconds since 2026-01-01, at least 1. */
    public static long now() {
        return Math.max(1, System.currentTimeMillis() - ORIGIN_MILLIS);
    }

    /** A start value for a new counter: above everything observed, at least {@code atLeast}. Raises the floor. */
    public static long start(long atLeast) {
        long clock = now();
        return FLOOR.updateAndGet(f -> Math.max(Math.max(f + 1, atLeast), clock));
    }

    /** The start value a new counter would get now, without raising the floor (sent to Redis scripts). */
    public static long peekStart() {
        return Math.max(FLOOR.get() + 1, now());
    }

    /** Records a mod-sequence handed out (or shown to a client), so that later fresh counters start above it. */
    public static void observe(long modSeq) {
        FLOOR.accumulateAndGet(modSeq, Math::max);
    }

    /** Tests only: forget what this process has seen, as a newly started proxy instance would. */
    public static void forgetForTests() {
        FLOOR.set(0);
    }
}

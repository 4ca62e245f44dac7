package org.modseqproxy.state.impl;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where fresh HIGHESTMODSEQ counters start: wall-clock microseconds, but never at or below a modseq this process
 * has already handed out (the wall clock may step back; a counter may run ahead of it). Wall-clock microseconds
 * stay below 2^53 until the year 2255.
 */
public final class MicroClock {

    private static final AtomicLong FLOOR = new AtomicLong();

    private MicroClock() {}

    /** Current wall-clock time in microseconds since the epoch. */
    public static long wallMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** A start value for a new counter: above everything observed, at least {@code atLeast}. Raises the floor. */
    public static long start(long atLeast) {
        long wall = wallMicros();
        return FLOOR.updateAndGet(f -> Math.max(Math.max(f + 1, atLeast), wall));
    }

    /** The start value a new counter would get now, without raising the floor (sent to Redis scripts). */
    public static long peekStart() {
        return Math.max(FLOOR.get() + 1, wallMicros());
    }

    /** Records a modseq handed out, so that later fresh counters start above it. */
    public static void observe(long modSeq) {
        FLOOR.accumulateAndGet(modSeq, Math::max);
    }

    /** Tests only: forget what this process has seen, as a newly started proxy instance would. */
    static void forgetForTests() {
        FLOOR.set(0);
    }
}

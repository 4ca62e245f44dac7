package org.modseqproxy.state.impl;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.modseqproxy.state.UidSet;

/**
 * The holds of the conditional STOREs in flight on one mailbox of the memory store (reserve.lua keeps Redis's): a
 * held message fails every other conditional STORE with [MODIFIED] until its holder releases it or the hold lapses
 * (RFC 7162 3.1.3; see ModSeqStore#reserve). Guarded by the mailbox entry's lock.
 */
final class Holds {
    private record Hold(String holder, long untilNanos) {}

    private final Map<Long, Hold> byUid = new HashMap<>();

    /** A holder name no other reservation, of any instance sharing a store, will have: 128 random bits. */
    static String newHolder() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return Long.toUnsignedString(r.nextLong(), 36) + "-" + Long.toUnsignedString(r.nextLong(), 36);
    }

    /** Whether a live hold of another holder is on {@code uid}. */
    boolean heldByOther(long uid, String holder, long nowNanos) {
        Hold h = byUid.get(uid);
        return h != null && h.untilNanos - nowNanos > 0 && !h.holder.equals(holder);
    }

    void hold(long uid, String holder, long untilNanos) {
        byUid.put(uid, new Hold(holder, untilNanos));
    }

    /** Drops the lapsed holds, so holds of a caller that never released cannot pile up. */
    void dropLapsed(long nowNanos) {
        byUid.values().removeIf(h -> h.untilNanos - nowNanos <= 0);
    }

    /** Ends {@code holder}'s holds on {@code uids}; others' holds stay. */
    void release(UidSet uids, String holder) {
        uids.stream().forEach(uid -> byUid.computeIfPresent(uid, (k, h) -> h.holder.equals(holder) ? null : h));
    }
}

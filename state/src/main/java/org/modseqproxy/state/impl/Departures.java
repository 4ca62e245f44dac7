package org.modseqproxy.state.impl;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.modseqproxy.state.MessageState;

/**
 * The last stored states of the messages most recently expunged from a mailbox, as the store held them when they went
 * (immutable, at most {@link #LIMIT}, ascending by UID). A session that still shows such a message, because its
 * EXPUNGE may not be sent yet (RFC 9051 7.5.1), keeps answering with that state, as a native server's session does: a
 * message MOVEd away (RFC 6851) keeps the mod-sequence it had, and one expunged after a STORE of \Deleted keeps that
 * STORE's mod-sequence. Only snapshots this process derived by applying the expunge know them; one read back from
 * Redis starts without (callers then estimate, see the proxy's SelectedMailbox).
 */
final class Departures {
    /** Enough for every session that lags a few commands behind; beyond it callers fall back to an estimate. */
    static final int LIMIT = 256;

    static final Departures NONE = new Departures(new MessageState[0], new long[0]);

    private final MessageState[] states; // ascending by uid
    private final long[] goneAt; // the mod-sequence of the expunge, parallel to states

    private Departures(MessageState[] states, long[] goneAt) {
        this.states = states;
        this.goneAt = goneAt;
    }

    /** These departures and {@code gone} (expunged at {@code modSeq}); the oldest expunges leave past the limit. */
    Departures with(List<MessageState> gone, long modSeq) {
        if (gone.isEmpty()) {
            return this;
        }
        int n = states.length + gone.size();
        Entry[] all = new Entry[n];
        int k = 0;
        for (MessageState s : gone) {
            all[k++] = new Entry(s, modSeq);
        }
        for (int i = 0; i < states.length; i++) {
            if (indexIn(gone, states[i].uid()) < 0) { // expunged again after a re-add: the newer state counts
                all[k++] = new Entry(states[i], goneAt[i]);
            }
        }
        Entry[] kept = Arrays.copyOf(all, k);
        if (kept.length > LIMIT) { // newest expunges first, then the highest UIDs (one batch may exceed the limit)
            Arrays.sort(
                    kept,
                    Comparator.comparingLong(Entry::goneAt)
                            .thenComparingLong(e -> e.state().uid())
                            .reversed());
            kept = Arrays.copyOf(kept, LIMIT);
        }
        Arrays.sort(kept, Comparator.comparingLong(e -> e.state().uid()));
        MessageState[] s = new MessageState[kept.length];
        long[] g = new long[kept.length];
        for (int i = 0; i < kept.length; i++) {
            s[i] = kept[i].state();
            g[i] = kept[i].goneAt();
        }
        return new Departures(s, g);
    }

    Optional<MessageState> get(long uid) {
        int lo = 0;
        int hi = states.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long u = states[mid].uid();
            if (u < uid) {
                lo = mid + 1;
            } else if (u > uid) {
                hi = mid - 1;
            } else {
                return Optional.of(states[mid]);
            }
        }
        return Optional.empty();
    }

    int size() {
        return states.length;
    }

    private static int indexIn(List<MessageState> ascending, long uid) {
        int lo = 0;
        int hi = ascending.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long u = ascending.get(mid).uid();
            if (u < uid) {
                lo = mid + 1;
            } else if (u > uid) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    private record Entry(MessageState state, long goneAt) {}
}

package org.modseqproxy.state.impl;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
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

    static final Departures NONE = new Departures(new long[0], new Entry[0]);

    private final long[] uids; // ascending, for the binary search
    private final Entry[] entries; // parallel to uids

    private Departures(long[] uids, Entry[] entries) {
        this.uids = uids;
        this.entries = entries;
    }

    /** These departures and {@code gone} (expunged at {@code modSeq}); the oldest expunges leave past the limit. */
    Departures with(List<MessageState> gone, long modSeq) {
        if (gone.isEmpty()) {
            return this;
        }
        TreeMap<Long, Entry> byUid = new TreeMap<>();
        for (Entry e : entries) {
            byUid.put(e.state().uid(), e);
        }
        for (MessageState m : gone) { // expunged again after a re-add: the newer state counts
            byUid.put(m.uid(), new Entry(m, modSeq));
        }
        if (byUid.size() > LIMIT) { // newest expunges first, then the highest UIDs (one batch may exceed the limit)
            byUid.values().stream()
                    .sorted(Comparator.comparingLong(Entry::goneAt)
                            .thenComparingLong(e -> e.state().uid())
                            .reversed())
                    .skip(LIMIT)
                    .toList()
                    .forEach(e -> byUid.remove(e.state().uid()));
        }
        return new Departures(
                byUid.keySet().stream().mapToLong(Long::longValue).toArray(),
                byUid.values().toArray(new Entry[0]));
    }

    Optional<MessageState> get(long uid) {
        int i = Arrays.binarySearch(uids, uid);
        return i < 0 ? Optional.empty() : Optional.of(entries[i].state());
    }

    /** A message's last stored state and the mod-sequence of its expunge. */
    private record Entry(MessageState state, long goneAt) {}
}

package org.modseqproxy.state.impl;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.modseqproxy.state.ChangeSet;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.MailboxSnapshot;
import org.modseqproxy.state.MessageState;
import org.modseqproxy.state.UidSet;

/**
 * Immutable mailbox snapshot, shared by the memory store and the Redis near-cache. Messages are kept in buckets of
 * 128 consecutive UIDs (the same split as the Redis keys), so applying a small batch to a 100 000-message mailbox
 * copies only the touched buckets and the bucket index, not every message. Each bucket knows its highest modseq,
 * so {@link #changedSince} skips untouched buckets.
 */
public final class MailboxState implements MailboxSnapshot {

    static final int BUCKET_SHIFT = 7;

    private final long uidValidity;
    private final long highestModSeq;
    private final long expungeHorizon;
    private final long[] keys; // bucket numbers (uid >>> 7), ascending
    private final Bucket[] buckets;
    private final int size;
    private final int[] offsets; // offsets[i] = number of messages in buckets before i
    private final Departures departures;

    private MailboxState(
            long uidValidity,
            long highestModSeq,
            long expungeHorizon,
            long[] keys,
            Bucket[] buckets,
            Departures departures) {
        this.uidValidity = uidValidity;
        this.departures = departures;
        this.highestModSeq = highestModSeq;
        this.expungeHorizon = expungeHorizon;
        this.keys = keys;
        this.buckets = buckets;
        this.offsets = new int[buckets.length];
        int n = 0;
        for (int i = 0; i < buckets.length; i++) {
            offsets[i] = n;
            n += buckets[i].uids.length;
        }
        this.size = n;
    }

    /** Fresh state: nothing known, so the expunge log starts complete only from {@code start} (RFC 7162 5.3). */
    public static MailboxState fresh(long uidValidity, long start) {
        return new MailboxState(uidValidity, start, start, new long[0], new Bucket[0], Departures.NONE);
    }

    /** Builds a state from messages in any order (used when loading from Redis). */
    public static MailboxState of(long uidValidity, long highestModSeq, long expungeHorizon, List<MessageState> msgs) {
        List<MessageState> sorted = new ArrayList<>(msgs);
        sorted.sort((a, b) -> Long.compare(a.uid(), b.uid()));
        List<Long> keys = new ArrayList<>();
        List<Bucket> buckets = new ArrayList<>();
        int i = 0;
        while (i < sorted.size()) {
            long key = sorted.get(i).uid() >>> BUCKET_SHIFT;
            int j = i;
            while (j < sorted.size() && sorted.get(j).uid() >>> BUCKET_SHIFT == key) {
                j++;
            }
            keys.add(key);
            buckets.add(Bucket.of(sorted.subList(i, j)));
            i = j;
        }
        return new MailboxState(
                uidValidity,
                highestModSeq,
                expungeHorizon,
                keys.stream().mapToLong(Long::longValue).toArray(),
                buckets.toArray(new Bucket[0]),
                Departures.NONE);
    }

    public MailboxState withHighestModSeq(long hms) {
        return new MailboxState(uidValidity, hms, expungeHorizon, keys, buckets, departures);
    }

    public MailboxState withExpungeHorizon(long horizon) {
        return new MailboxState(uidValidity, highestModSeq, horizon, keys, buckets, departures);
    }

    /** What {@link #apply} did. {@code modSeq} is 0 when nothing changed (and {@code state} is unchanged). */
    public record Applied(MailboxState state, UidSet added, UidSet changed, UidSet expunged, long modSeq) {}

    /**
     * Applies a batch: upserts whose flags differ (or whose uid is new) and expunges of present uids all get
     * {@code newModSeq}; unchanged messages keep theirs. HIGHESTMODSEQ becomes {@code newModSeq} only if something
     * changed (RFC 7162 3.1: several messages may share one modseq; each change batch gets a new one).
     */
    public Applied apply(ChangeSet changes, long newModSeq) {
        TreeMap<Long, TreeMap<Long, MessageState>> edits = new TreeMap<>(); // bucket -> uid -> new state or null
        UidSet.Builder added = new UidSet.Builder();
        UidSet.Builder changed = new UidSet.Builder();
        UidSet.Builder expunged = new UidSet.Builder();
        for (Map.Entry<Long, Flags> e : changes.upserts().entrySet()) {
            long uid = e.getKey();
            Optional<MessageState> old = get(uid);
            if (old.isPresent()
                    && (!changes.mayOverwrite(old.get().modSeq())
                            || old.get().flags().equals(e.getValue())
                                    && !changes.touched().contains(uid))) {
                continue;
            }
            (old.isPresent() ? changed : added).add(uid);
            edits.computeIfAbsent(uid >>> BUCKET_SHIFT, k -> new TreeMap<>())
                    .put(uid, new MessageState(uid, newModSeq, e.getValue()));
        }
        UidSet gone = changes.expunged();
        List<MessageState> left = new ArrayList<>();
        for (int r = 0; r < gone.rangeCount(); r++) {
            long lo = gone.rangeStart(r);
            long hi = gone.rangeEnd(r);
            int bi = lowerBound(keys, lo >>> BUCKET_SHIFT);
            for (; bi < keys.length && keys[bi] <= hi >>> BUCKET_SHIFT; bi++) {
                long[] inBucket = buckets[bi].uids;
                for (int m = 0; m < inBucket.length; m++) {
                    long uid = inBucket[m];
                    if (uid >= lo && uid <= hi) {
                        expunged.add(uid);
                        left.add(buckets[bi].message(m));
                        edits.computeIfAbsent(keys[bi], k -> new TreeMap<>()).put(uid, null);
                    }
                }
            }
        }
        if (edits.isEmpty()) {
            return new Applied(this, UidSet.empty(), UidSet.empty(), UidSet.empty(), 0);
        }
        // Merge the edited buckets into a new index; untouched buckets are shared with this snapshot.
        long[] nk = new long[keys.length + edits.size()];
        Bucket[] nb = new Bucket[nk.length];
        int n = 0;
        int i = 0;
        for (Map.Entry<Long, TreeMap<Long, MessageState>> e : edits.entrySet()) {
            long key = e.getKey();
            while (i < keys.length && keys[i] < key) {
                nk[n] = keys[i];
                nb[n++] = buckets[i++];
            }
            Bucket base = i < keys.length && keys[i] == key ? buckets[i++] : Bucket.EMPTY;
            Bucket merged = base.with(e.getValue());
            if (merged.uids.length > 0) {
                nk[n] = key;
                nb[n++] = merged;
            }
        }
        while (i < keys.length) {
            nk[n] = keys[i];
            nb[n++] = buckets[i++];
        }
        MailboxState next = new MailboxState(
                uidValidity,
                newModSeq,
                expungeHorizon,
                Arrays.copyOf(nk, n),
                Arrays.copyOf(nb, n),
                departures.with(left, newModSeq));
        return new Applied(next, added.build(), changed.build(), expunged.build(), newModSeq);
    }

    private static int lowerBound(long[] a, long x) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public long uidValidity() {
        return uidValidity;
    }

    @Override
    public long highestModSeq() {
        return highestModSeq;
    }

    @Override
    public long expungeHorizon() {
        return expungeHorizon;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Optional<MessageState> departedState(long uid) {
        return departures.get(uid);
    }

    @Override
    public Optional<MessageState> get(long uid) {
        int bi = Arrays.binarySearch(keys, uid >>> BUCKET_SHIFT);
        if (bi < 0) {
            return Optional.empty();
        }
        Bucket b = buckets[bi];
        int i = Arrays.binarySearch(b.uids, uid);
        return i < 0 ? Optional.empty() : Optional.of(b.message(i));
    }

    /** A read-only view; MessageState objects are made on access, so a cached snapshot stays compact. */
    @Override
    public List<MessageState> messages() {
        return new AbstractList<>() {
            @Override
            public MessageState get(int index) {
                if (index < 0 || index >= size) {
                    throw new IndexOutOfBoundsException(index);
                }
                int bi = Arrays.binarySearch(offsets, index); // offsets strictly ascend: buckets are never empty
                if (bi < 0) {
                    bi = -bi - 2;
                }
                return buckets[bi].message(index - offsets[bi]);
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    @Override
    public List<MessageState> changedSince(long modSeq) {
        List<MessageState> out = new ArrayList<>();
        for (Bucket b : buckets) {
            if (b.maxModSeq > modSeq) {
                for (int i = 0; i < b.uids.length; i++) {
                    if (b.modSeqs[i] > modSeq) {
                        out.add(b.message(i));
                    }
                }
            }
        }
        return out;
    }

    @Override
    public UidSet uids() {
        UidSet.Builder u = new UidSet.Builder();
        for (Bucket b : buckets) {
            for (long uid : b.uids) {
                u.add(uid);
            }
        }
        return u.build();
    }

    @Override
    public long[] uidArray() {
        long[] out = new long[size()];
        int at = 0;
        for (Bucket b : buckets) {
            System.arraycopy(b.uids, 0, out, at, b.uids.length);
            at += b.uids.length;
        }
        return out;
    }

    /**
     * Walks the two bucket indexes side by side: a bucket the newer snapshot shares (untouched by the changes that made
     * it, see {@link #apply}) or holds with the same UIDs costs nothing more; only edited buckets are compared by UID.
     */
    @Override
    public UidSet lackedBy(MailboxSnapshot newer) {
        if (!(newer instanceof MailboxState n)) {
            return MailboxSnapshot.super.lackedBy(newer);
        }
        UidSet.Builder gone = new UidSet.Builder();
        int j = 0;
        for (int i = 0; i < keys.length; i++) {
            while (j < n.keys.length && n.keys[j] < keys[i]) {
                j++;
            }
            long[] mine = buckets[i].uids;
            if (j == n.keys.length || n.keys[j] != keys[i]) {
                for (long uid : mine) {
                    gone.add(uid);
                }
                continue;
            }
            long[] theirs = n.buckets[j].uids;
            if (buckets[i] == n.buckets[j] || Arrays.equals(mine, theirs)) {
                continue;
            }
            int k = 0;
            for (long uid : mine) {
                while (k < theirs.length && theirs[k] < uid) {
                    k++;
                }
                if (k == theirs.length || theirs[k] != uid) {
                    gone.add(uid);
                }
            }
        }
        return gone.build();
    }

    @Override
    public String toString() {
        return "MailboxState[uidValidity=" + uidValidity + ", hms=" + highestModSeq + ", horizon=" + expungeHorizon
                + ", size=" + size + "]";
    }

    /** Up to 128 messages with consecutive-ish UIDs, in parallel arrays, ascending by uid. */
    private static final class Bucket {
        static final Bucket EMPTY = new Bucket(new long[0], new long[0], new Flags[0]);

        final long[] uids;
        final long[] modSeqs;
        final Flags[] flags;
        final long maxModSeq;

        Bucket(long[] uids, long[] modSeqs, Flags[] flags) {
            this.uids = uids;
            this.modSeqs = modSeqs;
            this.flags = flags;
            long max = 0;
            for (long m : modSeqs) {
                max = Math.max(max, m);
            }
            this.maxModSeq = max;
        }

        static Bucket of(List<MessageState> ascending) {
            int n = ascending.size();
            long[] u = new long[n];
            long[] m = new long[n];
            Flags[] f = new Flags[n];
            for (int i = 0; i < n; i++) {
                MessageState s = ascending.get(i);
                u[i] = s.uid();
                m[i] = s.modSeq();
                f[i] = s.flags();
            }
            return new Bucket(u, m, f);
        }

        MessageState message(int i) {
            return new MessageState(uids[i], modSeqs[i], flags[i]);
        }

        /** This bucket with edits applied: uid -> new state, or null to remove. */
        Bucket with(TreeMap<Long, MessageState> edits) {
            TreeMap<Long, MessageState> all = new TreeMap<>();
            for (int i = 0; i < uids.length; i++) {
                all.put(uids[i], message(i));
            }
            for (Map.Entry<Long, MessageState> e : edits.entrySet()) {
                if (e.getValue() == null) {
                    all.remove(e.getKey());
                } else {
                    all.put(e.getKey(), e.getValue());
                }
            }
            return of(new ArrayList<>(all.values()));
        }
    }
}

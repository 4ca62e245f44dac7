package org.modseqproxy.state;

import java.util.Arrays;
import java.util.stream.LongStream;

/**
 * Immutable compact set of UIDs, kept as sorted, merged, inclusive ranges; reads and writes IMAP sequence-set
 * syntax (RFC 3501 9, {@code sequence-set}).
 */
public final class UidSet {

    private static final UidSet EMPTY = new UidSet(new long[0]);

    /** start0, end0, start1, end1, ... ascending, disjoint and non-adjacent. */
    private final long[] ranges;

    private UidSet(long[] ranges) {
        this.ranges = ranges;
    }

    public static UidSet empty() {
        return EMPTY;
    }

    public static UidSet of(long... uids) {
        Builder b = new Builder();
        for (long u : uids) {
            b.add(u);
        }
        return b.build();
    }

    public static UidSet range(long a, long b) {
        return new Builder().addRange(a, b).build();
    }

    /**
     * Parses an IMAP sequence set such as {@code 1:3,5,9:*}. {@code *} stands for {@code star} (the highest UID in
     * use); {@code a:*} covers min(a,star)..max(a,star) as RFC 3501 6.4.8 requires. When {@code star < 1} (empty
     * mailbox) a lone {@code *} adds nothing and {@code a:*} means {@code a}.
     *
     * @throws IllegalArgumentException on malformed input or a zero number
     */
    public static UidSet parse(String imapSet, long star) {
        if (imapSet == null || imapSet.isEmpty()) {
            throw new IllegalArgumentException("empty sequence set");
        }
        Builder b = new Builder();
        for (String part : imapSet.split(",", -1)) {
            int colon = part.indexOf(':');
            if (colon < 0) {
                long n = number(part, star);
                if (n > 0) {
                    b.add(n);
                }
            } else {
                long x = number(part.substring(0, colon), star);
                long y = number(part.substring(colon + 1), star);
                if (x <= 0) {
                    x = y;
                }
                if (y <= 0) {
                    y = x;
                }
                if (x > 0) {
                    b.addRange(Math.min(x, y), Math.max(x, y));
                }
            }
        }
        return b.build();
    }

    private static long number(String s, long star) {
        if (s.equals("*")) {
            return star < 1 ? 0 : star;
        }
        if (s.isEmpty() || s.length() > 19 || s.charAt(0) == '0') {
            throw new IllegalArgumentException("bad number in sequence set: '" + s + "'");
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                throw new IllegalArgumentException("bad number in sequence set: '" + s + "'");
            }
        }
        return Long.parseLong(s);
    }

    public boolean contains(long uid) {
        int i = rangeIndex(uid);
        return i >= 0;
    }

    /** Index (in pairs) of the range holding uid, or -1. */
    private int rangeIndex(long uid) {
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ranges[2 * mid + 1] < uid) {
                lo = mid + 1;
            } else if (ranges[2 * mid] > uid) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    public UidSet union(UidSet other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        Builder b = new Builder();
        b.addAll(this);
        b.addAll(other);
        return b.build();
    }

    public UidSet intersect(UidSet other) {
        Builder b = new Builder();
        int i = 0;
        int j = 0;
        while (i < ranges.length && j < other.ranges.length) {
            long lo = Math.max(ranges[i], other.ranges[j]);
            long hi = Math.min(ranges[i + 1], other.ranges[j + 1]);
            if (lo <= hi) {
                b.addRange(lo, hi);
            }
            if (ranges[i + 1] < other.ranges[j + 1]) {
                i += 2;
            } else {
                j += 2;
            }
        }
        return b.build();
    }

    public UidSet minus(UidSet other) {
        if (isEmpty() || other.isEmpty()) {
            return this;
        }
        Builder b = new Builder();
        int j = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            long lo = ranges[i];
            long hi = ranges[i + 1];
            while (j < other.ranges.length && other.ranges[j + 1] < lo) {
                j += 2;
            }
            int k = j;
            while (lo <= hi && k < other.ranges.length && other.ranges[k] <= hi) {
                if (other.ranges[k] > lo) {
                    b.addRange(lo, other.ranges[k] - 1);
                }
                lo = Math.max(lo, other.ranges[k + 1] + 1);
                k += 2;
            }
            if (lo <= hi) {
                b.addRange(lo, hi);
            }
        }
        return b.build();
    }

    public long size() {
        long n = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            n += ranges[i + 1] - ranges[i] + 1;
        }
        return n;
    }

    public boolean isEmpty() {
        return ranges.length == 0;
    }

    /** Number of ranges, i.e. of comma-separated parts in {@link #toImapString()}. */
    public int rangeCount() {
        return ranges.length / 2;
    }

    public long rangeStart(int i) {
        return ranges[2 * i];
    }

    public long rangeEnd(int i) {
        return ranges[2 * i + 1];
    }

    /** Smallest UID; the set must not be empty. */
    public long first() {
        return ranges[0];
    }

    /** Largest UID; the set must not be empty. */
    public long last() {
        return ranges[ranges.length - 1];
    }

    /** e.g. {@code 1:3,5,9:12}; "" for the empty set (which IMAP cannot express: callers check isEmpty()). */
    public String toImapString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ranges.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(ranges[i]);
            if (ranges[i + 1] != ranges[i]) {
                sb.append(':').append(ranges[i + 1]);
            }
        }
        return sb.toString();
    }

    /** The UIDs, ascending. */
    public LongStream stream() {
        return LongStream.range(0, ranges.length / 2)
                .flatMap(i -> LongStream.rangeClosed(ranges[(int) (2 * i)], ranges[(int) (2 * i + 1)]));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UidSet u && Arrays.equals(u.ranges, ranges);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ranges);
    }

    @Override
    public String toString() {
        return isEmpty() ? "{}" : toImapString();
    }

    /** Collects UIDs/ranges in any order; {@link #build()} sorts and merges them. Ascending input is cheapest. */
    public static final class Builder {
        private long[] buf = new long[16];
        private int n;
        private boolean sorted = true;

        public Builder add(long uid) {
            return addRange(uid, uid);
        }

        public Builder addRange(long a, long b) {
            if (a < 1 || b < a) {
                throw new IllegalArgumentException("bad uid range " + a + ":" + b);
            }
            // Fast path: ascending input extends or appends to the last range.
            if (n > 0 && sorted) {
                long lastEnd = buf[n - 1];
                if (a >= buf[n - 2] && a <= lastEnd + 1) {
                    buf[n - 1] = Math.max(lastEnd, b);
                    return this;
                }
                if (a < buf[n - 2]) {
                    sorted = false;
                }
            }
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, n * 2);
            }
            buf[n++] = a;
            buf[n++] = b;
            return this;
        }

        public Builder addAll(UidSet s) {
            for (int i = 0; i < s.ranges.length; i += 2) {
                addRange(s.ranges[i], s.ranges[i + 1]);
            }
            return this;
        }

        public UidSet build() {
            if (n == 0) {
                return EMPTY;
            }
            if (sorted) {
                return new UidSet(Arrays.copyOf(buf, n));
            }
            Integer[] order = new Integer[n / 2];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> Long.compare(buf[2 * x], buf[2 * y]));
            long[] out = new long[n];
            int m = 0;
            for (Integer i : order) {
                long a = buf[2 * i];
                long b = buf[2 * i + 1];
                if (m > 0 && a <= out[m - 1] + 1) {
                    out[m - 1] = Math.max(out[m - 1], b);
                } else {
                    out[m++] = a;
                    out[m++] = b;
                }
            }
            return new UidSet(Arrays.copyOf(out, m));
        }
    }
}

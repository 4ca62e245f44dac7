package org.modseqproxy.proxy.sync;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.MailboxSnapshot;
import org.modseqproxy.state.MessageState;
import org.modseqproxy.state.UidSet;

/**
 * The session's view of its selected mailbox (pure, no I/O): the message sequence -> UID map the client sees
 * (RFC 9051 2.3.1.2), and, when mod-sequences are on, the store's latest snapshot of it. New messages announced by
 * EXISTS have UID 0 until the funnel resolves them.
 */
public final class SelectedMailbox {
    private final String name;
    private final MailboxId id;
    private final boolean readOnly;
    private final long uidValidity;
    private long[] uids = new long[16];
    private int count;
    /** Messages the client has been told about (EXISTS); the rest of the tail is announced once its UIDs are known. */
    private int announced;

    private MailboxSnapshot snapshot;
    /**
     * Messages the store no longer has (another session expunged them) while this client still sees them: its
     * EXPUNGE is owed but may not be sent yet (RFC 9051 7.5.1: not during FETCH, STORE or SEARCH). Until then they
     * keep the mod-sequence they had, as a native server's session does (SEARCH MODSEQ still finds them).
     */
    private final Map<Long, MessageState> departed = new HashMap<>();

    private boolean saidNoModSeq;
    private boolean nativeModSeq;
    private boolean listing;
    private boolean holdingExists;

    public SelectedMailbox(String name, MailboxId id, boolean readOnly, long uidValidity) {
        this.name = name;
        this.id = id;
        this.readOnly = readOnly;
        this.uidValidity = uidValidity;
    }

    public String name() {
        return name;
    }

    public MailboxId id() {
        return id;
    }

    public boolean readOnly() {
        return readOnly;
    }

    public long uidValidity() {
        return uidValidity;
    }

    /** True once a snapshot is known: mod-sequences are served for this mailbox. */
    public boolean modSeq() {
        return snapshot != null;
    }

    /** NOMODSEQ was sent for this selection: it stays without mod-sequences until re-selected (RFC 7162 3.1.2.2). */
    public boolean saidNoModSeq() {
        return saidNoModSeq;
    }

    public void saidNoModSeq(boolean v) {
        this.saidNoModSeq = v;
    }

    /** The backend keeps mod-sequences for this mailbox itself: everything passes through untouched. */
    public boolean nativeModSeq() {
        return nativeModSeq;
    }

    public void nativeModSeq(boolean v) {
        this.nativeModSeq = v;
    }

    /** A listing is running: EXISTS/EXPUNGE now are counted against it (see ListingEvents). */
    public boolean listing() {
        return listing;
    }

    public void listing(boolean on) {
        this.listing = on;
    }

    /** Lines of the SELECT answer held with its EXISTS, written right after the proxy's own EXISTS. */
    private List<Buffer> heldLines = List.of();

    public void heldLines(List<Buffer> lines) {
        this.heldLines = lines;
    }

    /** Takes the held lines (once). */
    public List<Buffer> takeHeldLines() {
        List<Buffer> l = heldLines;
        heldLines = List.of();
        return l;
    }

    /** The SELECT's EXISTS was held back; the proxy owes the client "* n EXISTS". */
    public boolean holdingExists() {
        return holdingExists;
    }

    public void holdingExists(boolean v) {
        this.holdingExists = v;
    }

    public MailboxSnapshot snapshot() {
        return snapshot;
    }

    /** When the snapshot changes: remembers the mod-sequence of each viewed message the new one lacks. */
    public void snapshot(MailboxSnapshot s) {
        MailboxSnapshot old = this.snapshot;
        this.snapshot = s;
        if (s == null) {
            departed.clear();
            return;
        }
        // Every change the store makes, an expunge included, raises HIGHESTMODSEQ: the same value is the same state,
        // and re-reading an unchanged mailbox costs no scan.
        if (old == null || old == s || old.highestModSeq() == s.highestModSeq() && old.size() == s.size()) {
            return;
        }
        departed.keySet().removeIf(uid -> s.get(uid).isPresent()); // stored again: the store's word counts
        // What the new snapshot lost, from what the two share (not a walk of the mailbox per STORE: issue 15's profile)
        old.lackedBy(s).stream().forEach(uid -> {
            if (seqOf(uid) > 0 && !departed.containsKey(uid)) {
                departed.put(
                        uid,
                        s.departedState(uid)
                                .orElseGet(() -> lastState(old.get(uid).orElseThrow(), old.highestModSeq())));
            }
        });
    }

    /**
     * The last state of a message the store dropped since {@code old} was read, when the new snapshot does not
     * remember it (it was read back from Redis, or the expunge is older than what snapshots remember; otherwise the
     * store's own last state counts, and there a MOVE keeps the mod-sequence the message had, RFC 6851). EXPUNGE
     * removes only messages flagged \Deleted (RFC 9051 6.4.3): one that was not flagged so then got the flag after
     * that snapshot, a change the store no longer dates; a native server reports it with that change's mod-sequence,
     * which lies above the old snapshot's HIGHESTMODSEQ, so the next value stands for it. (For a MOVE the estimate is
     * one change too new, which only makes SEARCH MODSEQ or CHANGEDSINCE name a message whose EXPUNGE is owed.)
     */
    private static MessageState lastState(MessageState m, long oldHighest) {
        return m.flags().contains("\\Deleted") || m.modSeq() > oldHighest
                ? m
                : new MessageState(m.uid(), oldHighest + 1, m.flags());
    }

    /** The store no longer has this message, but the client still sees it (its EXPUNGE is owed). */
    public boolean departed(long uid) {
        return departed.containsKey(uid);
    }

    /**
     * UIDs of the messages this client sees whose mod-sequence is above {@code m} (RFC 7162 3.1.5 SEARCH MODSEQ):
     * the stored ones, and those expunged behind this session that it has not been told of yet.
     */
    public UidSet changedSince(long m) {
        UidSet.Builder b = new UidSet.Builder();
        if (snapshot != null) {
            for (MessageState message : snapshot.changedSince(m)) {
                b.add(message.uid());
            }
        }
        departed.forEach((uid, message) -> {
            if (message.modSeq() > m) {
                b.add(uid);
            }
        });
        return b.build();
    }

    public long highestModSeq() {
        return snapshot == null ? 0 : snapshot.highestModSeq();
    }

    /** The stored mod-sequence of a message; the mailbox's highest when unknown (never 0, RFC 7162 3.1.2.1). */
    public long modSeqOf(long uid) {
        if (snapshot == null) {
            return 0;
        }
        MessageState gone = departed.get(uid);
        if (gone != null) {
            return gone.modSeq();
        }
        return snapshot.get(uid).map(MessageState::modSeq).orElse(snapshot.highestModSeq());
    }

    public int size() {
        return count;
    }

    /**
     * Replaces the whole map (after a listing). The client knows every listed message: either each EXISTS/EXPUNGE
     * that arrived during the listing was relayed (its count followed the backend's), or the count was held back and
     * the listing's is told next ({@link #holdingExists()}). Keeping a larger earlier count here (an EXPUNGE during the
     * listing) made the proxy count as announced a message the client never heard of, and pass its FETCH and VANISHED
     * through (imaptest: "seq too high", "VANISHED UID not found").
     */
    public void reset(long[] ascendingUids) {
        departed.clear();
        uids = Arrays.copyOf(ascendingUids, Math.max(16, ascendingUids.length));
        count = ascendingUids.length;
        announced = count;
    }

    /** UID at sequence number (1-based), 0 if not yet known, -1 if out of range. */
    public long uidOf(long seq) {
        if (seq < 1 || seq > count) {
            return -1;
        }
        return uids[(int) seq - 1];
    }

    /** Sequence number of a UID, 0 if absent. Known UIDs are ascending, unknown ones (0) only at the end. */
    public int seqOf(long uid) {
        int hi = count - 1;
        while (hi >= 0 && uids[hi] == 0) {
            hi--;
        }
        int i = Arrays.binarySearch(uids, 0, hi + 1, uid);
        return i >= 0 ? i + 1 : 0;
    }

    /** RFC 9051 7.4.1: EXPUNGE n shifts every later message down; returns the UID that left (0 if unknown). */
    public long expunge(long seq) {
        if (seq < 1 || seq > count) {
            return -1;
        }
        int i = (int) seq - 1;
        long uid = uids[i];
        departed.remove(uid);
        System.arraycopy(uids, i + 1, uids, i, count - i - 1);
        count--;
        if (seq <= announced) {
            announced--;
        }
        return uid;
    }

    /** RFC 9051 7.3.1: EXISTS n; new messages get UID 0 until resolved. */
    public void exists(long n) {
        if (n <= count) {
            return;
        }
        if (n > uids.length) {
            uids = Arrays.copyOf(uids, (int) Math.max(n, uids.length * 2L));
        }
        Arrays.fill(uids, count, (int) n, 0L);
        count = (int) n;
    }

    public int announced() {
        return announced;
    }

    /** A backend RECENT count above what the client was told, waiting for the proxy's own EXISTS; -1 for none. */
    private long heldRecent = -1;

    void holdRecent(long n) {
        heldRecent = n;
    }

    /** The held RECENT count once the client was told of that many messages (then it is no longer held), else -1. */
    long releaseRecent() {
        if (heldRecent < 0 || heldRecent > announced) {
            return -1;
        }
        long n = heldRecent;
        heldRecent = -1;
        return n;
    }

    /** UIDs of the messages the client has been told of (sequence numbers 1..announced). O(mailbox). */
    public UidSet announcedUids() {
        UidSet.Builder b = new UidSet.Builder();
        for (int i = 0; i < Math.min(announced, count); i++) {
            if (uids[i] > 0) {
                b.add(uids[i]);
            }
        }
        return b.build();
    }

    /** The client now knows every message (an EXISTS with {@link #size()} was sent). */
    public void announce() {
        announced = count;
    }

    /**
     * The client is told of the messages whose UIDs are known (unknown ones are only at the end); returns how many
     * that is. The rest are announced once their UIDs are known (RFC 7162 3.2.10.2: a VANISHED names only announced
     * messages, so a message must not be counted before the proxy can name it).
     */
    public int announceKnown() {
        int unknown = firstUnknown();
        announced = Math.max(announced, unknown == 0 ? count : unknown - 1); // what was told stays told
        return announced;
    }

    /** First sequence number whose UID is unknown, or 0 when all are known. */
    public int firstUnknown() {
        for (int i = count - 1; i >= 0; i--) {
            if (uids[i] != 0) {
                return i + 2 <= count ? i + 2 : 0;
            }
        }
        return count > 0 ? 1 : 0;
    }

    public void learn(long seq, long uid) {
        if (seq >= 1 && seq <= count) {
            uids[(int) seq - 1] = uid;
        }
    }

    /** Highest known UID (0 if none). */
    public long lastKnownUid() {
        for (int i = count - 1; i >= 0; i--) {
            if (uids[i] != 0) {
                return uids[i];
            }
        }
        return 0;
    }
}

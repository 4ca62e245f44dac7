package org.modseqproxy.state;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongPredicate;

/**
 * Changes a proxy witnessed without a full listing: its own STORE/EXPUNGE/MOVE/APPEND, or unsolicited
 * FETCH/EXPUNGE from the backend. {@code upserts}: uid to its full current flags (unknown uid = new message; same
 * flags as stored = no change). A uid both upserted and expunged is expunged (an expunged UID never comes back,
 * RFC 3501 2.3.1.1), so it is removed from the upserts here. {@code touched}: upserted uids whose mod-sequence must
 * move even if their flags end up as stored: a client's STORE gets its own mod-sequence (RFC 7162 3.1: "each STORE
 * command ... will get a different mod-sequence value"), even when a concurrent STORE already set the same flags.
 * {@code observedModSeq}, when positive: the upserts were reported by a backend during a command sent when the proxy
 * knew the mailbox up to that mod-sequence; a message the store changed after it keeps its stored state, because the
 * report may be older than that change (another instance recorded it meanwhile), as for {@link Listing}; and a
 * message the store lacks is not brought back if the expunge log remembers it: the backend session reporting it may
 * not have told its expunge yet and still shows the flags it had (RFC 9051 7.5.1).
 */
public record ChangeSet(Map<Long, Flags> upserts, UidSet expunged, UidSet touched, long observedModSeq) {

    private static final ChangeSet EMPTY = new ChangeSet(Map.of(), UidSet.empty());

    public ChangeSet(Map<Long, Flags> upserts, UidSet expunged) {
        this(upserts, expunged, UidSet.empty());
    }

    public ChangeSet(Map<Long, Flags> upserts, UidSet expunged, UidSet touched) {
        this(upserts, expunged, touched, 0);
    }

    public ChangeSet {
        if (observedModSeq < 0) {
            throw new IllegalArgumentException("observedModSeq must be 0 (none) or positive");
        }
        TreeMap<Long, Flags> copy = new TreeMap<>(upserts);
        if (!copy.isEmpty() && copy.firstKey() < 1) {
            throw new IllegalArgumentException("UIDs start at 1");
        }
        if (copy.containsValue(null)) {
            throw new IllegalArgumentException("null flags for an upsert");
        }
        copy.keySet().removeIf(expunged::contains);
        upserts = Collections.unmodifiableMap(copy);
    }

    public static ChangeSet empty() {
        return EMPTY;
    }

    public static ChangeSet upsert(long uid, Flags flags) {
        return new ChangeSet(Map.of(uid, flags), UidSet.empty());
    }

    /**
     * A backend's report of one message's flags during a command sent when the proxy knew the mailbox up to
     * {@code observedModSeq}: a new message is added, an unchanged-since one updated, a later-changed one kept.
     */
    public static ChangeSet observed(long uid, Flags flags, long observedModSeq) {
        return new ChangeSet(Map.of(uid, flags), UidSet.empty(), UidSet.empty(), observedModSeq);
    }

    /** Whether a stored message with mod-sequence {@code storedModSeq} may be overwritten by these upserts. */
    public boolean mayOverwrite(long storedModSeq) {
        return observedModSeq == 0 || storedModSeq <= observedModSeq;
    }

    /** These changes without the upserts of the UIDs {@code drop} accepts (this same set when none is dropped). */
    public ChangeSet withoutUpserts(LongPredicate drop) {
        TreeMap<Long, Flags> kept = new TreeMap<>(upserts);
        kept.keySet().removeIf(drop::test);
        return kept.size() == upserts.size() ? this : new ChangeSet(kept, expunged, touched, observedModSeq);
    }

    public static ChangeSet expunge(UidSet uids) {
        return new ChangeSet(Map.of(), uids);
    }

    public boolean isEmpty() {
        return upserts.isEmpty() && expunged.isEmpty();
    }
}

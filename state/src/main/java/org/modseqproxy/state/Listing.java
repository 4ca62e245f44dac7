package org.modseqproxy.state;

/**
 * What the backend listed for a mailbox at one moment ({@code UID FETCH 1:* (FLAGS)}): uids strictly ascending,
 * flags[i] belongs to uids[i]. {@code uidNext} is the UIDNEXT known when the listing was taken (or maxUid+1 if
 * unknown): the listing is authoritative only for uids below it, so a message added concurrently by another proxy
 * instance after the listing was taken is never treated as expunged. {@code observedModSeq}, when positive, is the
 * HIGHESTMODSEQ read just before the listing was asked for: a message whose stored mod-sequence is above it was
 * changed (through another proxy instance) while the listing was under way, so the listing's flags for it may be
 * older than the store's and are not applied (0: no such guard).
 */
public record Listing(long uidValidity, long uidNext, long[] uids, Flags[] flags, long observedModSeq) {

    public Listing(long uidValidity, long uidNext, long[] uids, Flags[] flags) {
        this(uidValidity, uidNext, uids, flags, 0);
    }

    public Listing {
        if (uids.length != flags.length) {
            throw new IllegalArgumentException("uids and flags differ in length");
        }
        for (int i = 1; i < uids.length; i++) {
            if (uids[i] <= uids[i - 1]) {
                throw new IllegalArgumentException("listing uids must be strictly ascending");
            }
        }
        if (uids.length > 0 && uidNext <= uids[uids.length - 1]) {
            // A listed uid is by definition below UIDNEXT; a smaller value is a stale STATUS: use maxUid+1.
            uidNext = uids[uids.length - 1] + 1;
        }
    }

    /** A listing whose UIDNEXT is unknown: authoritative up to its highest uid. */
    public static Listing of(long uidValidity, long[] uids, Flags[] flags) {
        return new Listing(uidValidity, uids.length == 0 ? 1 : uids[uids.length - 1] + 1, uids, flags);
    }

    public int size() {
        return uids.length;
    }
}

package org.modseqproxy.state;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The pure diff (no I/O): stored snapshot + backend listing -> the ChangeSet that makes the store match. */
public final class MailboxDiff {

    private MailboxDiff() {}

    /**
     * Listed uids missing from {@code stored}, or stored with other flags, become upserts. Stored uids absent from
     * the listing become expunges only when below {@link Listing#uidNext()}: a uid at or above it may have been
     * added after the listing was taken (by another proxy instance), so its absence proves nothing.
     *
     * @param stored the stored state, or null if none; a snapshot for another UIDVALIDITY counts as none
     */
    public static ChangeSet compute(MailboxSnapshot stored, Listing listing) {
        List<MessageState> old =
                stored == null || stored.uidValidity() != listing.uidValidity() ? List.of() : stored.messages();
        long[] uids = listing.uids();
        Flags[] flags = listing.flags();
        Map<Long, Flags> upserts = new HashMap<>();
        UidSet.Builder gone = new UidSet.Builder();
        int i = 0; // index in listing
        int j = 0; // index in stored messages
        while (i < uids.length || j < old.size()) {
            long listed = i < uids.length ? uids[i] : Long.MAX_VALUE;
            MessageState s = j < old.size() ? old.get(j) : null;
            long storedUid = s != null ? s.uid() : Long.MAX_VALUE;
            if (listed == storedUid) {
                // A stale listing must not revert a change applied after it was taken (another instance's).
                boolean newerInStore = listing.observedModSeq() > 0 && s.modSeq() > listing.observedModSeq();
                if (!newerInStore && !flags[i].equals(s.flags())) {
                    upserts.put(listed, flags[i]);
                }
                i++;
                j++;
            } else if (listed < storedUid) {
                upserts.put(listed, flags[i]);
                i++;
            } else {
                if (storedUid < listing.uidNext()) {
                    gone.add(storedUid);
                }
                j++;
            }
        }
        return new ChangeSet(upserts, gone.build());
    }
}

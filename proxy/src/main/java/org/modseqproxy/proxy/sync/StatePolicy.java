package org.modseqproxy.proxy.sync;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.modseqproxy.proxy.config.ProxyConfig;
import org.modseqproxy.state.ModSeqStore;

/**
 * Where mod-sequences live and for which mailboxes. No store ("off"), a mailbox matching an offMailboxes pattern,
 * or a store whose circuit is open: the mailbox is answered with NOMODSEQ (RFC 7162 3.1.2.2).
 */
public final class StatePolicy {
    private final ModSeqStore store;
    private final String backendId;
    private final ProxyConfig.Consistency mode;
    private final List<PathMatcher> off = new ArrayList<>();
    private final RecentListings recentListings;
    private final Duration storeHold;

    public StatePolicy(ModSeqStore store, String backendId, ProxyConfig.Consistency mode, List<String> offMailboxes) {
        this(store, backendId, mode, offMailboxes, Duration.ZERO, MIN_STORE_HOLD);
    }

    /**
     * @param listingReuse {@code state.listingReuse}: how long a full listing spares the next SELECTs one
     * @param storeHold how long a conditional STORE in flight holds its messages at most (ModSeqStore#reserve): the
     *     hold lapses only when this instance dies before it releases them, so it must outlast any STORE a live
     *     instance waits for; at least {@link #MIN_STORE_HOLD}
     */
    public StatePolicy(
            ModSeqStore store,
            String backendId,
            ProxyConfig.Consistency mode,
            List<String> offMailboxes,
            Duration listingReuse,
            Duration storeHold) {
        this.store = store;
        this.storeHold = storeHold.compareTo(MIN_STORE_HOLD) < 0 ? MIN_STORE_HOLD : storeHold;
        this.recentListings = new RecentListings(listingReuse);
        this.backendId = backendId;
        this.mode = mode;
        for (String pattern : offMailboxes) {
            // Mailbox names are matched like paths: "Archive/*" matches one level, "Archive/**" all levels.
            off.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern));
        }
    }

    /** The shortest hold of a conditional STORE: two minutes. */
    public static final Duration MIN_STORE_HOLD = Duration.ofMinutes(2);

    /** How long a conditional STORE's reservation holds its messages at most (see the constructor). */
    public Duration storeHold() {
        return storeHold;
    }

    /** The store, or null when state is off everywhere. */
    public ModSeqStore store() {
        return store;
    }

    public String backendId() {
        return backendId;
    }

    public ProxyConfig.Consistency mode() {
        return mode;
    }

    /** The full listings this instance took recently, shared by the sessions of this store (see RecentListings). */
    RecentListings recentListings() {
        return recentListings;
    }

    /** True when this mailbox gets synthetic mod-sequences right now. */
    public boolean modSeqFor(String mailbox) {
        if (store == null || !store.available()) {
            return false;
        }
        for (PathMatcher m : off) {
            try {
                if (m.matches(Path.of(mailbox))) {
                    return false;
                }
            } catch (RuntimeException e) {
                // a mailbox name that is not a valid path on this OS cannot match a pattern
            }
        }
        return true;
    }
}

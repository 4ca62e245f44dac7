package org.modseqproxy.proxy.sync;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import org.modseqproxy.state.MailboxId;

/**
 * When this instance last listed each mailbox in full (shared mode, {@code state.listingReuse}). Within that window a
 * SELECT of the mailbox by any session trusts the store for the messages it holds and asks the backend only for
 * deliveries, as exclusive mode always does (DESIGN "Consistency modes"): a flag changed behind the proxy (webmail,
 * sieve) in the window is seen by the next full listing, at most one window late. Zero: every SELECT lists (the
 * default). This instance's own listings are answered here; the store records every listing too
 * ({@code ModSeqStore#markListed}), so another instance's listing spares this one's SELECTs as well. Safe from any
 * event loop; bounded in size.
 */
public final class RecentListings {
    private static final long MAX_MAILBOXES = 100_000;

    /** System.nanoTime() at (or before) each mailbox's last full listing. */
    private final Cache<MailboxId, Long> listed;

    private final Duration window;

    public RecentListings(Duration window) {
        this.window = window;
        this.listed = window.isZero() || window.isNegative()
                ? null
                : Caffeine.newBuilder()
                        .expireAfterWrite(window)
                        .maximumSize(MAX_MAILBOXES)
                        .build();
    }

    /** Whether listings are reused at all (a window above zero). */
    boolean on() {
        return listed != null;
    }

    Duration window() {
        return window;
    }

    /** A full listing of the mailbox completed now. */
    void listed(MailboxId mailbox) {
        if (listed != null) {
            listed.put(mailbox, System.nanoTime());
        }
    }

    /**
     * The store says a listing (any instance's) is {@code age} old, as of a call sent at {@code askedNanos}: whether
     * that is within the window, and if so remember it for the rest of the window. The age was measured after the call
     * was sent, so dating the listing from the sending time never makes it look younger than it is.
     */
    boolean listedAgo(MailboxId mailbox, long askedNanos, Duration age) {
        long at = askedNanos - age.toNanos();
        if (listed == null || System.nanoTime() - at >= window.toNanos()) {
            return false;
        }
        listed.asMap().merge(mailbox, at, Math::max);
        return true;
    }

    /** Whether a full listing of the mailbox completed within the window. */
    boolean recent(MailboxId mailbox) {
        Long at = listed == null ? null : listed.getIfPresent(mailbox);
        return at != null && System.nanoTime() - at < window.toNanos();
    }
}

package org.modseqproxy.proxy.sync;

import io.vertx.core.Future;
import java.util.Optional;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.MailboxSnapshot;

/**
 * Whether a SELECT may take the store's word for the messages it holds and ask the backend only for deliveries
 * (DESIGN "Consistency modes"): always in exclusive mode, else within state.listingReuse of a full listing by any
 * instance sharing the store. And the store read such a SELECT starts early.
 */
final class StoreTrust {
    private final StoreCalls store;
    private final boolean exclusive;
    private final RecentListings recent;

    StoreTrust(StoreCalls store, boolean exclusive, RecentListings recent) {
        this.store = store;
        this.exclusive = exclusive;
        this.recent = recent;
    }

    /**
     * A SELECT that will trust the store starts reading it before the backend has answered: the read overlaps the
     * backend's round trip instead of following it. It may begin that early because it begins after the client sent
     * the command, so the state it sees is one the SELECT may report (a change completed in between is concurrent with
     * the SELECT). Null when this SELECT will list.
     */
    Future<Optional<MailboxSnapshot>> prefetch(MailboxId id) {
        return exclusive || recent.recent(id) ? store.loadLastSeen(id) : null;
    }

    /**
     * Exclusive mode, or a full listing of the mailbox within state.listingReuse: by this instance, or by another one
     * sharing the store, whose listing this instance then remembers for the rest of its window (so only the first
     * SELECT after it pays a store call). A store that cannot say means "list".
     */
    Future<Boolean> trusted(SelectedMailbox mailbox) {
        if (exclusive || recent.recent(mailbox.id())) {
            return Future.succeededFuture(true);
        }
        if (!recent.on()) {
            return Future.succeededFuture(false);
        }
        long asked = System.nanoTime();
        return store.listingAge(mailbox.id(), mailbox.uidValidity())
                .map(age -> age.isPresent() && recent.listedAgo(mailbox.id(), asked, age.get()))
                .otherwise(false);
    }

    /** The early read when it is of this UIDVALIDITY, else (or when it failed, or there was none) a read now. */
    Future<Optional<MailboxSnapshot>> stored(SelectedMailbox mailbox, Future<Optional<MailboxSnapshot>> early) {
        long uv = mailbox.uidValidity();
        if (early == null) {
            return store.load(mailbox.id(), uv);
        }
        return early.transform(ar ->
                ar.succeeded() && ar.result().filter(s -> s.uidValidity() == uv).isPresent()
                        ? Future.succeededFuture(ar.result())
                        : store.load(mailbox.id(), uv));
    }

    /** A full listing of the mailbox completed now; true when listings are reused (the store must record it too). */
    boolean listed(MailboxId id) {
        if (recent.on()) {
            recent.listed(id);
            return true;
        }
        return false;
    }
}

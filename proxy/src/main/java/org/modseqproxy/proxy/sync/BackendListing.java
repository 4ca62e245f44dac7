package org.modseqproxy.proxy.sync;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.modseqproxy.metrics.ProxyMetrics;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.state.ChangeSet;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.Listing;
import org.modseqproxy.state.MailboxSnapshot;
import org.modseqproxy.state.SyncResult;
import org.modseqproxy.state.UidSet;

/**
 * The backend listing (RFC 5162 section 5, RFC 4549): how the proxy learns UIDs and flags from a backend that keeps
 * no mod-sequences, by internal FETCHes whose lines never reach the client. Anything else the backend says meanwhile
 * goes to the funnel; the store writes go through the funnel's apply, so that a tagged OK waits for them.
 */
final class BackendListing {
    private final ClientPort session;
    private final StoreCalls store;
    private final ProxyMetrics metrics;
    private final boolean exclusive;
    private final RecentListings recent;
    private final Consumer<Frame> others;
    private final BiFunction<SelectedMailbox, ChangeSet, Future<SyncResult>> apply;
    /** Set while a listing of the selected mailbox runs: EXISTS/EXPUNGE and listed lines are counted there. */
    private ListingEvents events;

    BackendListing(
            ClientPort session,
            StoreCalls store,
            ProxyMetrics metrics,
            boolean exclusive,
            RecentListings recent,
            Consumer<Frame> others,
            BiFunction<SelectedMailbox, ChangeSet, Future<SyncResult>> apply) {
        this.session = session;
        this.store = store;
        this.metrics = metrics;
        this.exclusive = exclusive;
        this.recent = recent;
        this.others = others;
        this.apply = apply;
    }

    /** The events of the listing that runs now, or null. */
    ListingEvents events() {
        return events;
    }

    /**
     * Lists the mailbox on the backend (UID FETCH 1:* (FLAGS)) and syncs the store with it; the view's map is rebuilt
     * from the listing. An EXPUNGE or EXISTS arriving while the listing runs makes its sequence numbers unreliable:
     * list again (a few times at most; the last listing is used whatever happens, and the next SELECT corrects what
     * it missed).
     */
    Future<SyncResult> resync(SelectedMailbox mailbox, long exists, long uidNext) {
        return resync(mailbox, exists, uidNext, 3);
    }

    private Future<SyncResult> resync(SelectedMailbox mailbox, long exists, long uidNext, int attempts) {
        ListingEvents running = new ListingEvents();
        events = running;
        mailbox.listing(true);
        return resyncOnce(mailbox, exists, uidNext)
                .compose(
                        r -> {
                            mailbox.listing(false);
                            events = null;
                            ListingEvents.Verdict verdict = running.verdict();
                            long count = running.countAfter(exists);
                            // The view must add up to the backend session's count, or its sequence numbers are not the
                            // session's.
                            long listed = mailbox.size();
                            boolean trailing = verdict == ListingEvents.Verdict.APPLY_TRAILING;
                            boolean adds = (trailing ? running.trailingCountFrom(listed) : listed) == count;
                            if ((verdict == ListingEvents.Verdict.LIST_AGAIN || !adds) && attempts > 1) {
                                return resync(mailbox, count, 0, attempts - 1);
                            }
                            return trailing && adds
                                    ? applyTrailing(mailbox, running, r)
                                    : Future.succeededFuture(
                                            r); // the last listing as it is; the next SELECT corrects what it missed
                        },
                        err -> {
                            mailbox.listing(false);
                            events = null;
                            return Future.failedFuture(err);
                        });
    }

    /** RFC 9051 2.3.1.2: in UID order, a listing of the whole mailbox numbers its messages 1..n (see ListingEvents). */
    private void checkNumbering(SortedMap<Long, Long> seqByUid) {
        long expected = 1;
        for (long seq : seqByUid.values()) {
            if (seq != expected++) {
                if (events != null) {
                    events.numberingOff();
                }
                return;
            }
        }
    }

    /**
     * EXPUNGE/EXISTS that came after the listing's last line apply to the listed view, in order (RFC 9051 7.4.1,
     * 7.5.1), so its numbering is the backend's. An expunged message the listing still showed is logged in the store
     * at once, so the HIGHESTMODSEQ the SELECT announces already covers it.
     */
    private Future<SyncResult> applyTrailing(SelectedMailbox mailbox, ListingEvents done, SyncResult listed) {
        UidSet.Builder gone = new UidSet.Builder();
        boolean any = false;
        for (ListingEvents.Event e : done.trailing()) {
            if (e.expunge()) {
                long uid = mailbox.expunge(e.number());
                if (uid > 0) {
                    gone.add(uid);
                    any = true;
                }
            } else {
                mailbox.exists(e.number());
            }
        }
        if (!mailbox.holdingExists()) {
            mailbox.announce(); // each of them was relayed to the client as it came
        }
        if (!any || mailbox.snapshot() == null) {
            return Future.succeededFuture(listed);
        }
        return apply.apply(mailbox, ChangeSet.expunge(gone.build()));
    }

    private Future<SyncResult> resyncOnce(SelectedMailbox mailbox, long exists, long uidNext) {
        return trustStore(mailbox).compose(trusted -> {
            if (!trusted) {
                return listAll(mailbox, exists, uidNext);
            }
            return store.load(mailbox.id(), mailbox.uidValidity())
                    .compose(stored -> stored.isPresent()
                            ? deliveriesOnly(mailbox, stored.get(), exists, uidNext)
                            : Future.succeededFuture(null))
                    .compose(r -> r != null ? Future.succeededFuture(r) : listAll(mailbox, exists, uidNext));
        });
    }

    /**
     * Exclusive mode, or a full listing of the mailbox within state.listingReuse: by this instance, or by another one
     * sharing the store, whose listing this instance then remembers for the rest of its window (so only the first
     * SELECT after it pays a store call). A store that cannot say means "list".
     */
    private Future<Boolean> trustStore(SelectedMailbox mailbox) {
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

    /**
     * Exclusive mode (DESIGN "Consistency modes"): every flag change and expunge went through a proxy, so the stored
     * UIDs are the backend's, plus deliveries above the highest stored UID. Costs O(new messages); null means "the
     * counts do not add up, list everything".
     */
    private Future<SyncResult> deliveriesOnly(
            SelectedMailbox mailbox, MailboxSnapshot snap, long exists, long uidNext) {
        long[] stored = snap.uidArray(); // O(mailbox) once, one array copy per bucket: the numbering starts from it
        long known = stored.length;
        long maxUid = stored.length == 0 ? 0 : stored[stored.length - 1];
        if (exists < known || (uidNext > 0 && uidNext <= maxUid)) {
            return Future.succeededFuture(null);
        }
        Future<List<FetchResponse>> fresh = exists == known
                ? Future.succeededFuture(List.of())
                : collect("UID FETCH " + (maxUid + 1) + ":* (FLAGS)", false);
        return fresh.compose(rows -> {
            Map<Long, Flags> upserts = new HashMap<>();
            for (FetchResponse r : rows) {
                if (r.uid() > maxUid) { // "n:*" always includes the last message (RFC 9051 6.4.9)
                    upserts.put(r.uid(), r.flags() == null ? Flags.EMPTY : r.flags());
                }
            }
            if (known + upserts.size() != exists) {
                return Future.succeededFuture(null);
            }
            long[] newUids = upserts.keySet().stream()
                    .mapToLong(Long::longValue)
                    .sorted()
                    .toArray();
            mailbox.reset(
                    newUids.length == 0
                            ? stored
                            : LongStream.concat(LongStream.of(stored), LongStream.of(newUids))
                                    .toArray());
            if (upserts.isEmpty()) {
                mailbox.snapshot(snap);
                metrics.resync("incremental", 0);
                return Future.succeededFuture(new SyncResult(snap, UidSet.empty(), UidSet.empty(), UidSet.empty(), 0));
            }
            return store.apply(mailbox.id(), mailbox.uidValidity(), new ChangeSet(upserts, UidSet.empty()))
                    .map(r -> {
                        mailbox.snapshot(r.snapshot());
                        metrics.resync("incremental", upserts.size());
                        return r;
                    });
        });
    }

    private Future<SyncResult> listAll(SelectedMailbox mailbox, long exists, long uidNext) {
        // HIGHESTMODSEQ before the listing: changes stored after it are newer than what the listing may show.
        long[] observed = new long[1];
        // (Read without creating state: a first sync killed half-way must leave no state at all.)
        Future<List<FetchResponse>> listing = store.load(mailbox.id(), mailbox.uidValidity())
                .compose(stored -> {
                    observed[0] = stored.map(MailboxSnapshot::highestModSeq).orElse(0L);
                    return exists == 0
                            ? Future.succeededFuture(List.<FetchResponse>of())
                            : collect("UID FETCH 1:* (FLAGS)", true);
                });
        return listing.compose(rows -> {
                    // By UID, last line wins: a flag change by another session during the listing can make the backend
                    // send a second FETCH for the same message (GreenMail does), and the store wants strictly ascending
                    // UIDs.
                    TreeMap<Long, Flags> byUid = new TreeMap<>();
                    TreeMap<Long, Long> seqByUid = new TreeMap<>();
                    for (FetchResponse r : rows) {
                        byUid.put(r.uid(), r.flags() == null ? Flags.EMPTY : r.flags());
                        seqByUid.putIfAbsent(r.uid(), r.seq());
                    }
                    checkNumbering(seqByUid);
                    long[] uids = new long[byUid.size()];
                    Flags[] flags = new Flags[byUid.size()];
                    int i = 0;
                    for (Map.Entry<Long, Flags> e : byUid.entrySet()) {
                        uids[i] = e.getKey();
                        flags[i++] = e.getValue();
                    }
                    mailbox.reset(uids);
                    long next = Math.max(uidNext, uids.length == 0 ? 1 : uids[uids.length - 1] + 1);
                    return store.sync(mailbox.id(), new Listing(mailbox.uidValidity(), next, uids, flags, observed[0]));
                })
                .map(r -> {
                    mailbox.snapshot(r.snapshot());
                    long touched =
                            r.added().size() + r.changed().size() + r.expunged().size();
                    metrics.resync("full", (int) Math.min(Integer.MAX_VALUE, touched));
                    if (recent.on()) {
                        recent.listed(mailbox.id());
                        // for the other instances; a failure only costs them a listing of their own
                        store.markListed(mailbox.id(), mailbox.uidValidity());
                    }
                    return r;
                });
    }

    /**
     * Learns the UIDs and flags of messages the backend announced and the client was not told about yet, gives them
     * mod-sequences, and tells the client ("* n EXISTS"). Called before each command in the selected state (so the
     * command's own answer covers them, as a native server's would), before a tagged answer and from the IDLE cycle.
     */
    Future<Void> announceNew(Supplier<SelectedMailbox> selected) {
        SelectedMailbox mb = selected.get();
        if (mb == null) {
            return Future.succeededFuture();
        }
        if (mb.size() <= mb.announced() && mb.firstUnknown() == 0) {
            releaseRecent(mb); // a held RECENT whose messages left before they were announced
            return Future.succeededFuture();
        }
        return learnNew(mb).map(v -> {
            // Only as far as the UIDs are known now: an EXISTS that came during the FETCH above (allowed, RFC 9051
            // 7.4.1) added messages this FETCH did not name; they wait for the next round.
            int before = mb.announced();
            if (mb == selected.get()) {
                if (mb.size() > before && mb.announceKnown() > before) {
                    session.writeLine("* " + mb.announced() + " EXISTS");
                }
                releaseRecent(mb);
            }
            return null;
        });
    }

    /** A RECENT held back by the funnel goes out once the client was told of as many messages (BackendResponses). */
    private void releaseRecent(SelectedMailbox mb) {
        long recent = mb.releaseRecent();
        if (recent >= 0) {
            session.writeLine("* " + recent + " RECENT");
        }
    }

    /**
     * Messages announced by EXISTS get their UIDs and flags, and a mod-sequence, so that the next command sees a
     * complete view. Never fails: a message left unknown is learnt at the next try.
     */
    Future<Void> learnNew(SelectedMailbox mb) {
        int first = mb.firstUnknown();
        if (!mb.modSeq() || first == 0) {
            return Future.succeededFuture();
        }
        return collect("FETCH " + first + ":* (UID FLAGS)", false)
                .compose(rows -> {
                    Map<Long, Flags> upserts = new HashMap<>();
                    for (FetchResponse r : rows) {
                        mb.learn(r.seq(), r.uid());
                        upserts.put(r.uid(), r.flags() == null ? Flags.EMPTY : r.flags());
                    }
                    if (!mb.modSeq() || upserts.isEmpty()) {
                        return Future.<Void>succeededFuture();
                    }
                    return apply.apply(mb, new ChangeSet(upserts, UidSet.empty()))
                            .<Void>mapEmpty();
                })
                .recover(err -> Future.<Void>succeededFuture());
    }

    /** UIDs of messages flagged \Deleted (what CLOSE will expunge silently), via an internal UID SEARCH. */
    Future<UidSet> deletedUids() {
        Promise<UidSet> done = Promise.promise();
        UidSet.Builder b = new UidSet.Builder();
        session.backend().send("UID SEARCH DELETED", new BackendListener() {
            @Override
            public void untagged(Frame frame) {
                if (!"SEARCH".equals(frame.keyword())) {
                    others.accept(frame);
                    return;
                }
                frame.tokens().subList(1, frame.tokens().size()).forEach(t -> {
                    try {
                        b.add(Long.parseLong(t.stringValue()));
                    } catch (RuntimeException e) {
                        // not a number: ignore
                    }
                });
            }

            @Override
            public void tagged(Frame frame) {
                done.tryComplete("OK".equals(frame.keyword()) ? b.build() : UidSet.empty());
            }
        });
        return done.future();
    }

    /**
     * Runs an internal FETCH; FETCH lines are collected, anything else goes through the funnel to the client.
     * {@code fullListing} (UID FETCH 1:*): a FETCH without UID that arrives meanwhile is another session's flag change
     * (Dovecot reports those without UID); it is kept in arrival order, its sequence number resolved against the
     * listing's own UIDs, and never relayed: the client is in the middle of its SELECT, whose answer is the baseline.
     * Relayed raw, it reached QRESYNC clients without UID (imaptest stress: "FETCH didn't return UID").
     */
    private Future<List<FetchResponse>> collect(String command, boolean fullListing) {
        Promise<List<FetchResponse>> done = Promise.promise();
        List<FetchResponse> rows = new ArrayList<>();
        session.backend().send(command, new BackendListener() {
            @Override
            public void untagged(Frame frame) {
                FetchResponse f = FetchResponse.parse(frame);
                if (f == null || f.uid() <= 0 && !(fullListing && f.flags() != null)) {
                    others.accept(frame);
                    return;
                }
                rows.add(f);
                if (events != null) {
                    if (f.uid() > 0) {
                        events.line();
                    } else {
                        events.uidlessLine();
                    }
                }
            }

            @Override
            public void tagged(Frame frame) {
                if ("OK".equals(frame.keyword())) {
                    done.tryComplete(fullListing ? resolveSequenceNumbers(rows) : rows);
                } else {
                    done.tryFail(new IllegalStateException("backend refused " + command + ": " + frame.text()));
                }
            }
        });
        return done.future();
    }

    /**
     * The listing's rows in arrival order, uid-less ones given the UID at their sequence number in the listing (an
     * EXPUNGE or EXISTS meanwhile makes the listing run again, so the numbering is the listing's own). Unresolvable
     * rows are dropped: the listing's own line for that message stands.
     */
    private static List<FetchResponse> resolveSequenceNumbers(List<FetchResponse> rows) {
        long[] uids = rows.stream()
                .mapToLong(FetchResponse::uid)
                .filter(u -> u > 0)
                .sorted()
                .distinct()
                .toArray();
        List<FetchResponse> out = new ArrayList<>(rows.size());
        for (FetchResponse r : rows) {
            if (r.uid() > 0) {
                out.add(r);
            } else if (r.seq() >= 1 && r.seq() <= uids.length) {
                out.add(new FetchResponse(r.seq(), uids[(int) r.seq() - 1], r.flags(), false));
            }
        }
        return out;
    }
}

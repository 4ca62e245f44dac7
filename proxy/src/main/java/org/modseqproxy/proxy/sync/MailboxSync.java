package org.modseqproxy.proxy.sync;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.modseqproxy.metrics.ProxyMetrics;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.command.Command;
import org.modseqproxy.proxy.command.Session;
import org.modseqproxy.proxy.command.SessionState;
import org.modseqproxy.proxy.session.BackendListener;
import org.modseqproxy.state.ChangeSet;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.Listing;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.SyncResult;
import org.modseqproxy.state.UidSet;

/**
 * The sync funnel (STYLE practice 5, after Dovecot's imap-sync.c): the only code that turns what the backend says
 * into mod-sequences and emits MODSEQ, VANISHED and the tagged completions that must follow them. Command files parse
 * and rewrite; they finish through {@link #finish}. One per client session, on its event loop, so no locks.
 */
public final class MailboxSync {
  private final Session session;
  private final StatePolicy policy;
  private final ProxyMetrics metrics;
  private boolean condstore;
  private boolean qresync;
  private SelectedMailbox selected;
  /** Store writes of this session, in order; a tagged OK waits for them (state is durable before the client hears OK). */
  private Future<Void> writes = Future.succeededFuture();
  /** EXPUNGEs seen during the current command, applied to the store as one batch at its end. */
  private UidSet.Builder expunged = new UidSet.Builder();
  private boolean anyExpunged;

  public MailboxSync(Session session, StatePolicy policy, ProxyMetrics metrics) {
    this.session = session;
    this.policy = policy;
    this.metrics = metrics;
  }

  // ---- session-level state --------------------------------------------------------------------------------------

  /** RFC 5161 / RFC 7162 3.2.3: returns the names newly enabled (QRESYNC implies CONDSTORE). */
  public List<String> enable(Set<String> names) {
    List<String> newly = new ArrayList<>();
    if (names.contains("CONDSTORE") && !condstore) {
      enableCondstore();
      newly.add("CONDSTORE");
    }
    if (names.contains("QRESYNC") && !qresync) {
      qresync = true;
      enableCondstore(); // implied, and not listed in ENABLED unless asked for (RFC 7162 3.2.3, Example 16)
      newly.add("QRESYNC");
    }
    return newly;
  }

  /** RFC 7162 3.1: a CONDSTORE enabling command (SELECT (CONDSTORE), FETCH MODSEQ, ...) turns CONDSTORE on. */
  public void enableCondstore() {
    if (!condstore && selected != null && !selected.nativeModSeq() && !selected.saidNoModSeq()) {
      // RFC 7162 3.1: "A first CONDSTORE enabling command executed in the session with a mailbox selected MUST cause
      // the server to return HIGHESTMODSEQ for the mailbox", unless NOMODSEQ was said at SELECT (Example 4).
      highestModSeqOwed = true;
    }
    condstore = true;
  }

  /** Set by the first CONDSTORE enabling command while a mailbox is selected; paid before the command's answer. */
  private boolean highestModSeqOwed;

  /** Writes the owed "* OK [HIGHESTMODSEQ n]" once the selected mailbox has mod-sequences (see enableCondstore). */
  private void payHighestModSeq() {
    if (highestModSeqOwed && modSeqActive() && selected.snapshot() != null) {
      highestModSeqOwed = false;
      session.writeLine("* OK [HIGHESTMODSEQ " + selected.snapshot().highestModSeq() + "] Highest");
    }
  }

  public boolean condstore() {
    return condstore;
  }

  public boolean qresync() {
    return qresync;
  }

  public SelectedMailbox selected() {
    return selected;
  }

  public StatePolicy policy() {
    return policy;
  }

  public MailboxId idFor(String mailbox) {
    return new MailboxId(policy.backendId(), session.user(), mailbox);
  }

  public void select(SelectedMailbox mailbox) {
    this.selected = mailbox;
    highestModSeqOwed = false; // SELECT/EXAMINE says HIGHESTMODSEQ or NOMODSEQ itself
    session.state(mailbox == null ? SessionState.AUTHENTICATED : SessionState.SELECTED);
  }

  /** The selected mailbox has the backend's own mod-sequences: commands go through untouched. */
  public boolean nativeSelected() {
    return selected != null && selected.nativeModSeq();
  }

  /** True when the selected mailbox has mod-sequences now (else NOMODSEQ rules apply, RFC 7162 3.1.2.2). */
  public boolean modSeqActive() {
    return selected != null && selected.modSeq() && policy.store() != null && policy.store().available();
  }

  public ModSeqStore store() {
    return policy.store();
  }

  /** Lettuce/in-memory futures become Vert.x futures back on this session's event loop. */
  public <T> Future<T> onLoop(CompletionStage<T> stage) {
    Promise<T> p = Promise.promise();
    io.vertx.core.Context ctx = io.vertx.core.Vertx.currentContext();
    stage.whenComplete((v, err) -> {
      Runnable r = () -> {
        if (err != null) {
          p.fail(err instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null ? ce.getCause() : err);
        } else {
          p.complete(v);
        }
      };
      if (ctx == null) {
        r.run();
      } else {
        ctx.runOnContext(x -> r.run());
      }
    });
    return p.future();
  }

  // ---- the listing (RFC 5162 section 5 / RFC 4549: resync by listing when the backend keeps no mod-sequences) --

  /**
   * Lists the mailbox on the backend (UID FETCH 1:* (FLAGS)) and syncs the store with it; the view's map is rebuilt
   * from the listing. Responses of the listing never reach the client; an EXISTS/EXPUNGE that arrives meanwhile does.
   */
  public Future<SyncResult> resync(SelectedMailbox mailbox, long exists, long uidNext) {
    return resync(mailbox, exists, uidNext, 3);
  }

  /**
   * An EXPUNGE or EXISTS arriving while the listing runs makes its sequence numbers unreliable: list again (a few
   * times at most; the last listing is used whatever happens, and the next SELECT corrects what it missed).
   */
  private Future<SyncResult> resync(SelectedMailbox mailbox, long exists, long uidNext, int attempts) {
    ListingEvents events = new ListingEvents();
    listingEvents = events;
    mailbox.listing(true);
    return resyncOnce(mailbox, exists, uidNext).compose(r -> {
      mailbox.listing(false);
      listingEvents = null;
      ListingEvents.Verdict verdict = events.verdict();
      long count = events.countAfter(exists);
      // The view must add up to the backend session's count, or its sequence numbers are not the session's.
      long listed = mailbox.size();
      boolean adds = (verdict == ListingEvents.Verdict.APPLY_TRAILING ? events.trailingCountFrom(listed) : listed) == count;
      if ((verdict == ListingEvents.Verdict.LIST_AGAIN || !adds) && attempts > 1) {
        return resync(mailbox, count, 0, attempts - 1);
      }
      return verdict == ListingEvents.Verdict.APPLY_TRAILING && adds
          ? applyTrailing(mailbox, events, r)
          : Future.succeededFuture(r); // the last listing as it is; the next SELECT corrects what it missed
    }, err -> {
      mailbox.listing(false);
      listingEvents = null;
      return Future.failedFuture(err);
    });
  }

  /** RFC 9051 2.3.1.2: in UID order, a listing of the whole mailbox numbers its messages 1..n (see ListingEvents). */
  private void checkNumbering(java.util.SortedMap<Long, Long> seqByUid) {
    ListingEvents events = listingEvents;
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

  /** Set while a listing of the selected mailbox runs: EXISTS/EXPUNGE and listed lines are counted there. */
  private ListingEvents listingEvents;

  /**
   * EXPUNGE/EXISTS that came after the listing's last line apply to the listed view, in order (RFC 9051 7.4.1,
   * 7.5.1), so its numbering is the backend's. An expunged message the listing still showed is logged in the store
   * at once, so the HIGHESTMODSEQ the SELECT announces already covers it.
   */
  private Future<SyncResult> applyTrailing(SelectedMailbox mailbox, ListingEvents events, SyncResult listed) {
    UidSet.Builder gone = new UidSet.Builder();
    boolean any = false;
    for (ListingEvents.Event e : events.trailing()) {
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
    return applyNow(mailbox, ChangeSet.expunge(gone.build()));
  }

  private Future<SyncResult> resyncOnce(SelectedMailbox mailbox, long exists, long uidNext) {
    if (policy.mode() == org.modseqproxy.proxy.config.ProxyConfig.Consistency.EXCLUSIVE) {
      return onLoop(store().load(mailbox.id(), mailbox.uidValidity()))
          .compose(stored -> stored.isPresent() ? deliveriesOnly(mailbox, stored.get(), exists, uidNext) : Future.succeededFuture(null))
          .compose(r -> r != null ? Future.succeededFuture(r) : listAll(mailbox, exists, uidNext));
    }
    return listAll(mailbox, exists, uidNext);
  }

  /**
   * Exclusive mode (DESIGN "Consistency modes"): every flag change and expunge went through a proxy, so the stored
   * UIDs are the backend's, plus deliveries above the highest stored UID. Costs O(new messages); null means "the
   * counts do not add up, list everything".
   */
  private Future<SyncResult> deliveriesOnly(SelectedMailbox mailbox, org.modseqproxy.state.MailboxSnapshot snap, long exists, long uidNext) {
    long known = snap.size();
    long maxUid = snap.uids().isEmpty() ? 0 : snap.uids().last();
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
      long[] uids = java.util.stream.LongStream.concat(snap.uids().stream(), upserts.keySet().stream().mapToLong(Long::longValue).sorted()).toArray();
      mailbox.reset(uids);
      if (upserts.isEmpty()) {
        mailbox.snapshot(snap);
        metrics.resync("incremental", 0);
        return Future.succeededFuture(new SyncResult(snap, UidSet.empty(), UidSet.empty(), UidSet.empty(), 0));
      }
      return onLoop(store().apply(mailbox.id(), mailbox.uidValidity(), new ChangeSet(upserts, UidSet.empty()))).map(r -> {
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
    Future<List<FetchResponse>> listing = onLoop(store().load(mailbox.id(), mailbox.uidValidity()))
        .compose(stored -> {
          observed[0] = stored.map(org.modseqproxy.state.MailboxSnapshot::highestModSeq).orElse(0L);
          return exists == 0 ? Future.succeededFuture(List.<FetchResponse>of()) : collect("UID FETCH 1:* (FLAGS)", true);
        });
    return listing.compose(rows -> {
      // By UID, last line wins: a flag change by another session during the listing can make the backend send a
      // second FETCH for the same message (GreenMail does), and the store wants strictly ascending UIDs.
      java.util.TreeMap<Long, Flags> byUid = new java.util.TreeMap<>();
      java.util.TreeMap<Long, Long> seqByUid = new java.util.TreeMap<>();
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
      long[] sorted = uids;
      mailbox.reset(sorted);
      long next = Math.max(uidNext, sorted.length == 0 ? 1 : sorted[sorted.length - 1] + 1);
      long start = System.nanoTime();
      return onLoop(store().sync(mailbox.id(), new Listing(mailbox.uidValidity(), next, uids, flags, observed[0])))
          .andThen(ar -> metrics.storeOperation("sync", ar.succeeded(), System.nanoTime() - start));
    }).map(r -> {
      mailbox.snapshot(r.snapshot());
      metrics.resync("full", (int) Math.min(Integer.MAX_VALUE, r.added().size() + r.changed().size() + r.expunged().size()));
      return r;
    });
  }

  /** UIDs of messages flagged \Deleted (what CLOSE will expunge silently), via an internal UID SEARCH. */
  public Future<UidSet> deletedUids() {
    Promise<UidSet> done = Promise.promise();
    UidSet.Builder b = new UidSet.Builder();
    session.backend().send("UID SEARCH DELETED", new BackendListener() {
      @Override
      public void untagged(Frame frame) {
        if ("SEARCH".equals(frame.keyword())) {
          frame.tokens().subList(1, frame.tokens().size()).forEach(t -> {
            try {
              b.add(Long.parseLong(t.stringValue()));
            } catch (RuntimeException e) {
              // not a number: ignore
            }
          });
        } else {
          MailboxSync.this.untagged(frame);
        }
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
        if (f != null && (f.uid() > 0 || fullListing && f.flags() != null)) {
          rows.add(f);
          ListingEvents events = listingEvents;
          if (events != null) {
            if (f.uid() > 0) {
              events.line();
            } else {
              events.uidlessLine();
            }
          }
        } else {
          MailboxSync.this.untagged(frame);
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
    long[] uids = rows.stream().mapToLong(FetchResponse::uid).filter(u -> u > 0).sorted().distinct().toArray();
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

  /**
   * Before a command runs in the selected state: messages announced by EXISTS get their UIDs and flags, and a
   * mod-sequence, so the command sees a complete view.
   */
  public Future<Void> beforeCommand() {
    if (selected == null || !selected.modSeq()) {
      return Future.succeededFuture();
    }
    int first = selected.firstUnknown();
    if (first == 0) {
      return Future.succeededFuture();
    }
    SelectedMailbox mb = selected;
    return collect("FETCH " + first + ":* (UID FLAGS)", false).compose(rows -> {
      Map<Long, Flags> upserts = new HashMap<>();
      for (FetchResponse r : rows) {
        mb.learn(r.seq(), r.uid());
        upserts.put(r.uid(), r.flags() == null ? Flags.EMPTY : r.flags());
      }
      if (!mb.modSeq() || upserts.isEmpty()) {
        return Future.<Void>succeededFuture();
      }
      return applyNow(mb, new ChangeSet(upserts, UidSet.empty())).<Void>mapEmpty();
    }).recover(err -> Future.<Void>succeededFuture());
  }

  /**
   * Re-reads the selected mailbox's state from the store (one cheap check when the near-cache is current), so a
   * decision such as UNCHANGEDSINCE sees changes made through other sessions and proxy instances.
   */
  public Future<Void> refresh() {
    SelectedMailbox mb = selected;
    if (mb == null || !mb.modSeq()) {
      return Future.succeededFuture();
    }
    return onLoop(store().load(mb.id(), mb.uidValidity())).map(snap -> {
      snap.filter(x -> x.highestModSeq() >= mb.highestModSeq()).ifPresent(x -> {
        if (mb == selected) {
          mb.snapshot(x);
        }
      });
      return (Void) null;
    }).recover(err -> Future.succeededFuture());
  }

  /**
   * Conditional STORE check and stamp in one atomic store step (RFC 7162 3.1.3; see ModSeqStore#reserve): the
   * returned uids failed UNCHANGEDSINCE; the others may be stored. Fails when the store cannot answer.
   */
  public Future<org.modseqproxy.state.Reservation> reserve(SelectedMailbox mb, UidSet uids, long unchangedSince) {
    long start = System.nanoTime();
    return onLoop(store().reserve(mb.id(), mb.uidValidity(), uids, unchangedSince))
        .andThen(ar -> metrics.storeOperation("reserve", ar.succeeded(), System.nanoTime() - start));
  }

  /** Applies changes to the store, updates the view's snapshot; on store failure the mailbox loses mod-sequences. */
  public Future<SyncResult> applyNow(SelectedMailbox mb, ChangeSet changes) {
    long start = System.nanoTime();
    Future<SyncResult> f = onLoop(store().apply(mb.id(), mb.uidValidity(), changes))
        .andThen(ar -> metrics.storeOperation("apply", ar.succeeded(), System.nanoTime() - start))
        .map(r -> {
      if (mb == selected) {
        mb.snapshot(r.snapshot());
      }
      return r;
    });
    // Later answers wait for this write; a failed write does not block them (the client just loses MODSEQ).
    writes = writes.compose(v -> f.<Void>mapEmpty(), err -> f.<Void>mapEmpty()).recover(err -> Future.<Void>succeededFuture());
    return f;
  }

  // ---- the funnel: every untagged response from the backend to the client goes through here -------------------

  /** A command's own interest in some untagged lines (SEARCH results, STATUS); returns true when it consumed one. */
  private java.util.function.Predicate<Frame> hook;

  public void hook(java.util.function.Predicate<Frame> hook) {
    this.hook = hook;
  }

  /** STORE .SILENT under CONDSTORE: only "UID/MODSEQ" go back (RFC 7162 3.1.3, Examples 3 and 4). */
  private boolean silentStore;
  private boolean silentWithUid;

  public void silentStore(boolean on, boolean withUid) {
    this.silentStore = on;
    this.silentWithUid = withUid;
  }

  /** The FETCH lines of the running command answer the client's own STORE (each gets a new mod-sequence). */
  private boolean clientStore;

  public void clientStore(boolean on) {
    this.clientStore = on;
  }

  /** Seen at SELECT time: what the backend says about the mailbox being opened. */
  public static final class Opening {
    public long exists;
    public long uidValidity;
    public long uidNext;
    /** The backend's own answer when it has CONDSTORE enabled: HIGHESTMODSEQ (native) or NOMODSEQ (legacy). */
    public long nativeHighestModSeq;
    public boolean backendNoModSeq;
    /** QRESYNC: the backend's EXISTS is not relayed; the proxy sends the count of its final listing instead. */
    public boolean holdExists;
    /**
     * With the EXISTS held, the answer's lines from the EXISTS or UIDVALIDITY on (whichever comes first) wait too, and
     * follow the proxy's own EXISTS in their order: clients read the count before UIDVALIDITY, as native servers send
     * it (imaptest restores its QRESYNC cache at UIDVALIDITY with the count seen so far: "Message count dropped").
     */
    public final List<Buffer> held = new ArrayList<>();
    boolean holding;
  }

  private Opening opening;

  public void opening(Opening o) {
    this.opening = o;
  }

  public void untagged(Frame frame) {
    String kw = frame.keyword();
    if (closePending && startsSelectAnswer(frame)) {
      closedPrevious();
    }
    if (!"EXPUNGE".equals(kw)) {
      flushVanished(); // anything after an expunge assumes the client has heard of it
    }
    if (hook != null && hook.test(frame)) {
      return;
    }
    if (opening != null && kw != null && !closePending) {
      switch (kw) {
        case "EXISTS" -> {
          opening.exists = frame.number();
          if (opening.holdExists) {
            opening.holding = true;
            return; // told after the listing, with its count (see Select)
          }
        }
        case "OK" -> frame.code().ifPresent(c -> {
          try {
            if (c.name().equals("UIDVALIDITY")) {
              opening.uidValidity = Long.parseLong(c.rawArgs().trim());
            } else if (c.name().equals("UIDNEXT")) {
              opening.uidNext = Long.parseLong(c.rawArgs().trim());
            } else if (c.name().equals("HIGHESTMODSEQ")) {
              opening.nativeHighestModSeq = Long.parseLong(c.rawArgs().trim());
            }
          } catch (NumberFormatException e) {
            // a backend that garbles these gets no mod-sequences for the mailbox (uidValidity stays 0)
          }
        });
        default -> {}
      }
      if ("OK".equals(kw) && frame.code().map(c -> c.name().equals("NOMODSEQ")).orElse(false)) {
        // RFC 7162 3.1.2.2 from the backend: the proxy synthesizes mod-sequences for this mailbox instead, as the
        // OMA CPM client side (RFC 5162 section 5); the client must not see the backend's NOMODSEQ.
        opening.backendNoModSeq = true;
        return;
      }
    }
    if (selected != null && selected.nativeModSeq()) {
      session.write(frame.raw()); // a backend with its own mod-sequences for this mailbox: untouched
      return;
    }
    if ("OK".equals(kw) && frame.code().map(c -> c.name().equals("CLOSED")).orElse(false)) {
      // Dovecot says [CLOSED] on every re-SELECT whatever was enabled; the proxy says it itself, and only to a client
      // that enabled QRESYNC (RFC 7162 3.2.11).
      return;
    }
    if (selected != null && "OK".equals(kw) && frame.code().map(c -> c.name().equals("HIGHESTMODSEQ")).orElse(false)) {
      // A backend's HIGHESTMODSEQ for a mailbox whose mod-sequences the proxy synthesizes (Dovecot sends one after
      // STATUS (HIGHESTMODSEQ) even for an in-memory-index mailbox) would contradict ours: never relayed.
      return;
    }
    if (selected != null && selected.listing() && ("EXISTS".equals(kw) || "EXPUNGE".equals(kw))) {
      if (listingEvents != null) {
        if ("EXISTS".equals(kw)) {
          listingEvents.exists(frame.number());
        } else {
          listingEvents.expunge(frame.number());
        }
      }
      if (!selected.holdingExists()) {
        session.write(frame.raw()); // the client counted the SELECT's EXISTS: it must see this too
      }
      // with the SELECT's EXISTS held back (QRESYNC), the client only ever hears the final listing's count
      return;
    }
    if (selected != null && kw != null) {
      switch (kw) {
        case "EXISTS" -> {
          selected.exists(frame.number());
          if (deferNew()) {
            // RFC 7162 3.2.10: a VANISHED must name UIDs of messages the client was told about, so new messages are
            // announced (with our own EXISTS) only once their UIDs are known: at the end of this command, or at once
            // during IDLE by a transparent DONE/FETCH/IDLE cycle.
            if (selected.size() > selected.announced()) {
              session.requestIdleBreak();
            }
            return;
          }
          selected.announce();
          session.write(frame.raw());
          return;
        }
        case "EXPUNGE" -> {
          if (deferNew() && (frame.number() > selected.announced() || frame.number() > selected.size())) {
            // a message the client never heard of (or the backend's noise about one already gone): nothing to say
            selected.expunge(frame.number());
            return;
          }
          long uid = selected.expunge(frame.number());
          if (uid > 0) {
            expunged.add(uid);
            anyExpunged = true;
          }
          if (qresync && uid > 0) {
            // RFC 7162 3.2.10: after ENABLE QRESYNC, VANISHED replaces EXPUNGE. A run of EXPUNGEs (UID EXPUNGE 60:61)
            // becomes one "* VANISHED 60:61", as native servers send it; flushed before any other response.
            pendingVanished.add(uid);
            anyPendingVanished = true;
          } else {
            session.write(frame.raw());
          }
          return;
        }
        case "FETCH" -> {
          fetch(frame);
          return;
        }
        case "VANISHED" -> {
          // Only a backend with QRESYNC enabled sends this (RFC 7162 3.2.10); keep the view and the log in step.
          vanishedFromBackend(frame);
          return;
        }
        default -> {}
      }
    }
    Opening o = opening;
    if (o != null && o.holdExists && !closePending
        && (o.holding || "OK".equals(kw) && frame.code().map(c -> c.name().equals("UIDVALIDITY")).orElse(false))) {
      // The held EXISTS goes out before these (see Opening.held)
      o.holding = true;
      o.held.add(frame.raw());
      return;
    }
    session.write(frame.raw());
  }

  /** UIDs of EXPUNGEs relayed as one VANISHED (see the EXPUNGE case of untagged). */
  private UidSet.Builder pendingVanished = new UidSet.Builder();
  private boolean anyPendingVanished;

  /** Writes the coalesced "* VANISHED uids", if any: before any other response, after each backend read, at the end. */
  public void flushVanished() {
    if (anyPendingVanished) {
      UidSet gone = pendingVanished.build();
      pendingVanished = new UidSet.Builder();
      anyPendingVanished = false;
      session.writeLine("* VANISHED " + gone.toImapString());
    }
  }

  private void vanishedFromBackend(Frame frame) {
    List<org.modseqproxy.proxy.codec.Token> t = frame.tokens();
    boolean earlier = t.size() > 1 && t.get(1) instanceof org.modseqproxy.proxy.codec.Token.ListTok;
    String set = t.isEmpty() ? null : t.get(t.size() - 1).stringValue();
    if (!earlier && set != null) {
      try {
        UidSet gone = UidSet.parse(set, Math.max(1, selected.lastKnownUid()));
        gone.stream().forEach(uid -> {
          int seq = selected.seqOf(uid);
          if (seq > 0) {
            selected.expunge(seq);
            expunged.add(uid);
            anyExpunged = true;
          }
        });
      } catch (RuntimeException e) {
        // unparseable set: relayed as is; the next SELECT's listing repairs the log
      }
    }
    session.write(frame.raw());
  }

  /** Whether the backend itself has CONDSTORE and QRESYNC (then they are enabled there too, and used per mailbox). */
  public boolean backendHasModSeq() {
    return session.backend() != null && session.backend().has("CONDSTORE") && session.backend().has("QRESYNC")
        && session.backend().has("ENABLE");
  }

  private boolean backendCondstore;
  private boolean backendQresync;

  /**
   * On a backend that has CONDSTORE and QRESYNC itself, enables there exactly what the client enabled here, so that
   * mailboxes with native mod-sequences pass through untouched and the backend's responses are what the client
   * expects (never VANISHED to a client that did not enable QRESYNC).
   */
  public Future<Void> enableOnBackend() {
    if (!backendHasModSeq()) {
      return Future.succeededFuture();
    }
    List<String> names = new ArrayList<>();
    if (condstore && !backendCondstore) {
      names.add("CONDSTORE");
    }
    if (qresync && !backendQresync) {
      names.add("QRESYNC");
    }
    if (names.isEmpty()) {
      return Future.succeededFuture();
    }
    backendCondstore |= condstore;
    backendQresync |= qresync;
    return session.internal("ENABLE " + String.join(" ", names)).<Void>mapEmpty().recover(err -> Future.<Void>succeededFuture());
  }

  /** Per mailbox name, what SELECT showed: true = the backend's own mod-sequences, false = it said NOMODSEQ. */
  private final Map<String, Boolean> backendModSeqSeen = new HashMap<>();

  public void backendModSeq(String mailbox, boolean native_) {
    backendModSeqSeen.put(mailbox, native_);
  }

  /** What SELECT showed for this mailbox in this session: true native, false NOMODSEQ, null not selected yet. */
  public Boolean backendModSeqSeen(String mailbox) {
    return backendModSeqSeen.get(mailbox);
  }

  /** True when the backend has CONDSTORE enabled for this session (its SELECT answers HIGHESTMODSEQ or NOMODSEQ). */
  public boolean backendEnabled() {
    return backendCondstore;
  }

  /** QRESYNC with our mod-sequences: new messages wait for their UIDs before the client hears of them. */
  private boolean deferNew() {
    return qresync && selected != null && selected.modSeq() && !selected.nativeModSeq();
  }

  /**
   * Learns the UIDs and flags of messages the backend announced and the client was not told about yet, gives them
   * mod-sequences, and tells the client ("* n EXISTS"). Called before each command in the selected state (so the
   * command's own answer covers them, as a native server's would), before a tagged answer and from the IDLE cycle.
   */
  public Future<Void> announceNew() {
    SelectedMailbox mb = selected;
    if (mb == null || mb.size() <= mb.announced() && mb.firstUnknown() == 0) {
      return Future.succeededFuture();
    }
    return beforeCommand().map(v -> {
      // Only as far as the UIDs are known now: an EXISTS that came during the FETCH above (allowed, RFC 9051 7.4.1)
      // added messages this FETCH did not name; they wait for the next round.
      int before = mb.announced();
      if (mb == selected && mb.size() > before && mb.announceKnown() > before) {
        session.writeLine("* " + mb.announced() + " EXISTS");
      }
      return null;
    });
  }

  /** An untagged FETCH: flags that changed get a new mod-sequence; with CONDSTORE on, MODSEQ is added. */
  private void fetch(Frame original) {
    SelectedMailbox mb = selected;
    if (deferNew() && original.number() > mb.announced()) {
      return; // about a message the client has not been told of yet; it gets the flags when it fetches them
    }
    FetchResponse parsed = FetchResponse.parse(original);
    // The backend's own number for a mailbox whose mod-sequences are ours is dropped; ours is added below.
    Frame frame = parsed != null && parsed.hasModSeq() && mb.modSeq()
        ? org.modseqproxy.proxy.codec.ImapDecoder.decodeAll(
            org.modseqproxy.proxy.codec.ImapDecoder.Side.RESPONSES, FetchResponse.withoutModSeq(original.raw())).get(0)
        : original;
    FetchResponse f = frame == original ? parsed : FetchResponse.parse(frame);
    if (f == null || !mb.modSeq() || f.hasModSeq()) {
      session.write(f == null ? frame.raw() : withUidAfterQresync(frame.raw(), f, mb));
      return;
    }
    long uid = f.uid() > 0 ? f.uid() : mb.uidOf(f.seq());
    if (f.uid() > 0 && mb.uidOf(f.seq()) == 0) {
      mb.learn(f.seq(), f.uid());
    }
    if (uid <= 0) {
      session.write(frame.raw()); // a message the view cannot name (only after a failed listing)
      return;
    }
    boolean changed = f.flags() != null
        && mb.snapshot().get(uid).map(m -> !m.flags().equals(f.flags())).orElse(true);
    // A client's own STORE is always checked against the store, not only this session's snapshot, which may be stale
    // (another instance changed the flags meanwhile). The store gives a new mod-sequence only when the flags really
    // change: "setting a flag that is already set ... SHOULD NOT change the mod-sequence" (RFC 7162 3.1), as native
    // servers do; a conditional STORE was already given its new mod-sequence by reserve (3.1.3).
    boolean verify = clientStore && f.flags() != null;
    if (!changed && !verify) {
      if (silentStore) {
        writeSilent(f.seq(), uid, mb.modSeqOf(uid));
      } else if (condstore && (f.flags() != null || modseqRequested)) {
        session.write(FetchResponse.withUidAndModSeq(frame.raw(), f.uid() > 0 ? -1 : uid, mb.modSeqOf(uid)));
      } else {
        session.write(withUidAfterQresync(frame.raw(), f, mb));
      }
      return;
    }
    // Flags changed (by this command, another session, or directly on the backend): new mod-sequence first.
    session.backend().pauseInput();
    ChangeSet change = ChangeSet.upsert(uid, f.flags());
    applyNow(mb, change).onComplete(ar -> {
      long modSeq = ar.succeeded() ? modSeqFor(ar.result(), uid, f.flags()) : 0;
      if (silentStore && ar.succeeded()) {
        writeSilent(f.seq(), uid, modSeq);
      } else if (condstore && ar.succeeded()) {
        session.write(FetchResponse.withUidAndModSeq(frame.raw(), f.uid() > 0 ? -1 : uid, modSeq));
      } else {
        session.write(withUidAfterQresync(frame.raw(), f, mb));
      }
      session.backend().resumeInput();
    });
  }

  /**
   * The mod-sequence to show next to the flags this line carries. Ours when our batch set them; when the store
   * already holds a later change by another instance (it reloads after a no-op), that change's mod-sequence must not
   * be paired with these older flags: a client keeping both would never be told of the later change. One less is
   * safe: a resync from there reports the later change (fuller, never wrong).
   */
  private static long modSeqFor(SyncResult r, long uid, Flags lineFlags) {
    if (r.assignedModSeq() > 0 && (r.changed().contains(uid) || r.added().contains(uid))) {
      return r.assignedModSeq();
    }
    return r.snapshot().get(uid)
        .map(m -> m.flags().equals(lineFlags) ? m.modSeq() : Math.max(1, m.modSeq() - 1))
        .orElse(Math.max(1, r.snapshot().highestModSeq() - 1));
  }

  /** RFC 7162 3.2.4: once QRESYNC is enabled, a FETCH line without UID gets the one the view knows. */
  private Buffer withUidAfterQresync(Buffer raw, FetchResponse f, SelectedMailbox mb) {
    if (!qresync || f.uid() > 0 || mb == null) {
      return raw;
    }
    long uid = mb.uidOf(f.seq());
    return uid > 0 ? FetchResponse.withUid(raw, uid) : raw;
  }

  private void writeSilent(long seq, long uid, long modSeq) {
    if (!condstore) {
      return; // a plain client's STORE .SILENT: the proxy asked for the flags for itself, the client gets nothing
    }
    // UID STORE answers carry UID (RFC 9051 6.4.9); after ENABLE QRESYNC every FETCH does (RFC 7162 3.2.4).
    boolean withUid = silentWithUid || qresync;
    session.writeLine("* " + seq + " FETCH (" + (withUid ? "UID " + uid + " " : "") + "MODSEQ (" + modSeq + "))");
  }

  /** Set by FETCH handlers whose client asked for MODSEQ: every FETCH line of that command carries it. */
  private boolean modseqRequested;

  public void modseqRequested(boolean on) {
    this.modseqRequested = on;
  }

  /** A FETCH whose literal is streamed: MODSEQ is added to its head when known (the flags are not re-diffed). */
  public void streamStart(Frame head, long size) {
    FetchResponse f = FetchResponse.parse(head);
    if (f != null && selected != null && selected.modSeq() && condstore && !f.hasModSeq()) {
      long uid = f.uid() > 0 ? f.uid() : selected.uidOf(f.seq());
      if (uid > 0) {
        session.write(FetchResponse.withUidAndModSeq(head.raw(), qresync && f.uid() <= 0 ? uid : -1, selected.modSeqOf(uid)));
        return;
      }
    }
    session.write(f == null ? head.raw() : withUidAfterQresync(head.raw(), f, selected));
  }

  public void streamContinued(Frame frame) {
    session.write(frame.raw());
  }

  /**
   * Ends a command: expunges seen during it go to the store as one batch, every store write of the session is
   * waited for, then the tagged answer (the backend's, relayed under the client's tag) is written. Thus VANISHED
   * and MODSEQ always precede the tagged OK (DESIGN, "Lessons from clients").
   */
  public Future<Void> finish(Command cmd, Frame tagged) {
    return settle().map(v -> {
      endCommand();
      session.relayTagged(cmd.tag(), tagged);
      return null;
    });
  }

  /**
   * Ends EXPUNGE, UID EXPUNGE or MOVE: "If at least one message got expunged and QRESYNC was enabled, the server MUST
   * send the updated per-mailbox modification sequence using the HIGHESTMODSEQ response code in the tagged OK"
   * (RFC 7162 3.2.7; RFC 6851 section 4.4 allows the tagged or an untagged OK for MOVE). When the backend's OK
   * already carries a code, the HIGHESTMODSEQ goes in an untagged OK just before it.
   */
  public Future<Void> finishExpunging(Command cmd, Frame tagged) {
    boolean expunging = anyExpunged;
    return settle().map(v -> {
      endCommand();
      SelectedMailbox mb = selected;
      if (expunging && qresync && "OK".equals(tagged.keyword()) && modSeqActive() && mb.snapshot() != null) {
        String code = "[HIGHESTMODSEQ " + mb.snapshot().highestModSeq() + "]";
        if (tagged.code().isEmpty()) {
          session.tagged(cmd.tag(), "OK " + code + " " + tagged.text());
          return null;
        }
        session.writeLine("* OK " + code + " Highest");
      }
      session.relayTagged(cmd.tag(), tagged);
      return null;
    });
  }

  /** Like {@link #finish} with a line of the proxy's own ("OK [MODIFIED 7] ..."). */
  public Future<Void> finish(Command cmd, String statusAndText) {
    return settle().map(v -> {
      endCommand();
      session.tagged(cmd.tag(), statusAndText);
      return null;
    });
  }

  private void endCommand() {
    modseqRequested = false;
    silentStore = false;
    clientStore = false;
    hook = null;
    opening = null;
  }

  /**
   * A CONDSTORE enabling command in a mailbox selected without mod-sequences (RFC 7162 3.1): list it now. Fails
   * with false when the mailbox has none (NOMODSEQ was said, state off, store down).
   */
  public Future<Boolean> ensureModSeq() {
    SelectedMailbox mb = selected;
    if (mb == null) {
      return Future.succeededFuture(false);
    }
    if (mb.modSeq()) {
      boolean on = policy.store() != null && policy.store().available();
      payHighestModSeq();
      return Future.succeededFuture(on);
    }
    if (mb.saidNoModSeq() || mb.uidValidity() <= 0 || !policy.modSeqFor(mb.name())) {
      return Future.succeededFuture(false);
    }
    return resync(mb, mb.size(), 0).map(r -> {
      payHighestModSeq();
      return true;
    }).recover(err -> Future.succeededFuture(false));
  }

  /** Flushes pending expunges to the store and waits for every store write of this session. */
  public Future<Void> settle() {
    flushVanished();
    if (anyExpunged && selected != null && selected.modSeq()) {
      UidSet gone = expunged.build();
      applyNow(selected, ChangeSet.expunge(gone));
    }
    resetExpunged();
    payHighestModSeq(); // ENABLE CONDSTORE / STATUS (HIGHESTMODSEQ) with a mailbox selected
    Future<Void> announced = deferNew() ? announceNew().recover(err -> Future.<Void>succeededFuture()) : Future.succeededFuture();
    return announced.compose(v -> writes);
  }

  private void resetExpunged() {
    if (anyExpunged) {
      expunged = new UidSet.Builder();
      anyExpunged = false;
    }
  }

  /**
   * A SELECT/EXAMINE is on its way to the backend: the previous mailbox stays selected until the backend's answer
   * begins, so that its last unsolicited FETCH/EXPUNGE (sent by the backend before it read the SELECT) are still
   * rewritten against its view and reach the client before "* OK [CLOSED]", which separates the two mailboxes'
   * responses (RFC 7162 3.2.11). Before this, such lines went out raw after CLOSED and clients applied them to the
   * new mailbox (imaptest: "UID changed for sequence", "FETCH didn't return UID").
   */
  public void closePrevious() {
    closePending = true;
  }

  private boolean closePending;

  public void closedPreviousIfPending() {
    if (closePending) {
      closedPrevious();
    }
  }

  /** The first line of a SELECT answer (RFC 9051 6.3.2, 7.3) or the backend's own [CLOSED] (RFC 7162 3.2.11). */
  private static boolean startsSelectAnswer(Frame frame) {
    String kw = frame.keyword();
    if ("FLAGS".equals(kw) || "EXISTS".equals(kw) || "RECENT".equals(kw) || "LIST".equals(kw)) {
      return true;
    }
    return "OK".equals(kw) && frame.code().map(c -> switch (c.name()) {
      case "CLOSED", "UIDVALIDITY", "UIDNEXT", "PERMANENTFLAGS", "UNSEEN", "HIGHESTMODSEQ", "NOMODSEQ",
          "READ-ONLY", "READ-WRITE", "MAILBOXID" -> true;
      default -> false;
    }).orElse(false);
  }

  /** Sends "* OK [CLOSED]" when a mailbox was selected (RFC 7162 3.2.11). */
  public void closedPrevious() {
    closePending = false;
    if (anyExpunged && selected != null && selected.modSeq()) {
      applyNow(selected, ChangeSet.expunge(expunged.build())); // the old mailbox's last expunges are its own
    }
    flushVanished();
    // RFC 7162 3.2.11: a server that advertises CONDSTORE or QRESYNC (the proxy always does) MUST say CLOSED here,
    // "whether or not a CONDSTORE enabling command was issued". The backend's own [CLOSED] is dropped by the funnel.
    if (selected != null) {
      session.writeLine("* OK [CLOSED] Previous mailbox closed");
    }
    resetExpunged();
    selected = null;
  }

  public void unselect() {
    if (closePending) {
      closedPrevious(); // a SELECT the backend refused still closed the previous mailbox (RFC 9051 6.3.2)
    }
    resetExpunged();
    select(null);
  }

  /** Counts a selection answered with NOMODSEQ. */
  public void noModSeq() {
    metrics.resync("nomodseq", 0);
  }

  /** Raw pass-through used by commands the funnel does not rewrite. */
  public Future<Void> pass(Command cmd) {
    return session.forward(cmd).compose(t -> finish(cmd, t));
  }
}

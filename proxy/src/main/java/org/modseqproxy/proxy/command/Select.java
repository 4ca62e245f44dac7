package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.modseqproxy.proxy.codec.ImapEncoder;
import org.modseqproxy.proxy.codec.Token;
import org.modseqproxy.proxy.sync.MailboxSync;
import org.modseqproxy.proxy.sync.SelectedMailbox;
import org.modseqproxy.state.MailboxSnapshot;
import org.modseqproxy.state.MessageState;
import org.modseqproxy.state.UidSet;
import org.modseqproxy.state.Vanished;

/**
 * SELECT / EXAMINE with the CONDSTORE and QRESYNC parameters (RFC 7162 3.1.2, 3.2.5). The backend gets a plain
 * SELECT; the proxy lists the mailbox (RFC 5162 section 5), syncs the store, and answers HIGHESTMODSEQ, then for
 * QRESYNC the VANISHED (EARLIER) and FETCH lines, all before the tagged OK.
 */
final class Select {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Select.class);

  private Select() {}

  /** QRESYNC (uidvalidity modseq [known-uids [(seq-match)]]) */
  record Qresync(long uidValidity, long modSeq, String knownUids) {}

  static Future<Void> handle(Command cmd, Session s) {
    MailboxSync sync = s.sync();
    List<Token> args = cmd.args();
    if (args.isEmpty() || args.size() > 2 || args.get(0).stringValue() == null) {
      return Future.failedFuture(ImapException.bad(cmd.name() + " expects a mailbox name"));
    }
    String mailbox = args.get(0).stringValue();
    boolean condstoreParam = false;
    Qresync qresync = null;
    if (args.size() == 2) {
      if (!(args.get(1) instanceof Token.ListTok params)) {
        return Future.failedFuture(ImapException.bad("Invalid SELECT parameters"));
      }
      List<Token> p = params.items();
      for (int i = 0; i < p.size(); i++) {
        if (Args.isAtom(p.get(i), "CONDSTORE")) {
          condstoreParam = true;
        } else if (Args.isAtom(p.get(i), "QRESYNC") && i + 1 < p.size() && p.get(i + 1) instanceof Token.ListTok q) {
          qresync = parseQresync(q.items());
          i++;
        } else {
          return Future.failedFuture(ImapException.bad("Unknown SELECT parameter"));
        }
      }
    }
    if (qresync != null && !sync.qresync()) {
      // RFC 7162 3.2.5: QRESYNC parameter without ENABLE QRESYNC is an error.
      return Future.failedFuture(ImapException.bad("QRESYNC is not enabled"));
    }
    if (condstoreParam) {
      sync.enableCondstore();
    }
    // Exclusive mode keeps the view and the store current for every session, CONDSTORE or not: nobody lists the
    // mailbox later, so a plain session's STORE .SILENT or EXPUNGE must be witnessed as it passes (issue: a plain
    // writer's changes were never reported to QRESYNC clients). The client hears HIGHESTMODSEQ only with CONDSTORE.
    boolean wantModSeq = sync.condstore()
        || sync.policy().mode() == org.modseqproxy.proxy.config.ProxyConfig.Consistency.EXCLUSIVE;
    boolean readOnly = cmd.name().equals("EXAMINE");
    Qresync q = qresync;
    return (sync.condstore() ? sync.enableOnBackend() : Future.<Void>succeededFuture()).compose(ready -> {
      sync.closePrevious();
      MailboxSync.Opening opening = new MailboxSync.Opening();
      // RFC 7162 3.2.5: the QRESYNC answer's FETCH sequence numbers and its EXISTS must agree, so the count the client
      // hears is the one of the proxy's final listing (an EXPUNGE during the listing would otherwise skew them). The
      // same for a plain SELECT after ENABLE QRESYNC: an EXPUNGE during its listing could only reach the client raw
      // (its UID is not known yet), where RFC 7162 3.2.10.2 requires VANISHED.
      opening.holdExists = sync.qresync() && !sync.backendEnabled() && sync.policy().modSeqFor(mailbox);
      sync.opening(opening);
      // A backend with its own CONDSTORE/QRESYNC gets the client's SELECT as written: its mailboxes with mod-sequences
      // pass through untouched; for one that answers NOMODSEQ the proxy synthesizes (issue: OMA CPM 6.7 client side).
      Buffer rest = sync.backendEnabled()
          ? null
          : Buffer.buffer(cmd.name() + " " + ImapEncoder.astring(mailbox) + "\r\n", "UTF-8");
      return (rest == null ? s.forward(cmd) : s.forward(cmd, rest)).compose(tagged -> selected(s, sync, cmd, tagged, opening, mailbox, readOnly, wantModSeq, q));
    });
  }

  private static Future<Void> selected(
      Session s, MailboxSync sync, Command cmd, org.modseqproxy.proxy.codec.Frame tagged, MailboxSync.Opening opening,
      String mailbox, boolean readOnly, boolean wantModSeq, Qresync q) {
    {
      sync.opening(null);
      if (!"OK".equals(tagged.keyword())) {
        opening.held.forEach(s::write);
        sync.unselect(); // RFC 9051 6.3.2: a failed SELECT leaves no mailbox selected
        return sync.finish(cmd, tagged);
      }
      sync.closedPreviousIfPending(); // a backend whose answer had no line the funnel recognised
      SelectedMailbox mb = new SelectedMailbox(mailbox, sync.idFor(mailbox), readOnly, opening.uidValidity);
      mb.exists(opening.exists);
      mb.announce(); // the backend's EXISTS went to the client as part of the SELECT answer, or is owed below
      mb.holdingExists(opening.holdExists);
      mb.heldLines(opening.held);
      sync.select(mb);
      if (sync.backendEnabled()) {
        sync.backendModSeq(mailbox, opening.nativeHighestModSeq > 0 && !opening.backendNoModSeq);
      }
      if (sync.backendEnabled() && opening.nativeHighestModSeq > 0 && !opening.backendNoModSeq) {
        mb.nativeModSeq(true); // HIGHESTMODSEQ, VANISHED and FETCH came from the backend and were relayed
        return sync.finish(cmd, tagged);
      }
      if (!wantModSeq) {
        return sync.finish(cmd, tagged);
      }
      if (opening.uidValidity <= 0 || !sync.policy().modSeqFor(mailbox)) {
        return noModSeq(s, mb).compose(v -> sync.finish(cmd, tagged));
      }
      mb.listing(true); // from now until the listing is done, EXISTS/EXPUNGE are the listing's business
      return uidNext(s, mailbox, opening)
          .compose(v -> sync.resync(mb, opening.exists, opening.uidNext))
          .compose(r -> {
            owedExists(s, mb);
            if (sync.condstore()) {
              s.writeLine("* OK [HIGHESTMODSEQ " + r.snapshot().highestModSeq() + "] Highest");
            }
            return q == null ? Future.succeededFuture() : qresyncAnswer(s, sync, mb, q, opening.uidNext);
          })
          .recover(err -> {
            LOG.warn("no mod-sequences for {} this time ({}); answering NOMODSEQ", mailbox, err.toString());
            return noModSeq(s, mb);
          })
          .compose(v -> sync.finish(cmd, tagged));
    }
  }

  /**
   * A backend that sends no UIDNEXT with SELECT (Courier) is asked with STATUS: the listing needs it to know which
   * UIDs it is authoritative for, and QRESYNC needs it for an omitted known-uids (RFC 7162 3.2.5.1).
   */
  private static Future<Void> uidNext(Session s, String mailbox, MailboxSync.Opening opening) {
    if (opening.uidNext > 0) {
      return Future.succeededFuture();
    }
    return s.internal("STATUS " + ImapEncoder.astring(mailbox) + " (UIDNEXT)").map(r -> {
      for (org.modseqproxy.proxy.codec.Frame f : r.untagged()) {
        if ("STATUS".equals(f.keyword()) && f.tokens().get(f.tokens().size() - 1) instanceof Token.ListTok l) {
          List<Token> items = l.items();
          for (int i = 0; i + 1 < items.size(); i++) {
            if (Args.isAtom(items.get(i), "UIDNEXT")) {
              try {
                opening.uidNext = Long.parseLong(items.get(i + 1).stringValue());
              } catch (RuntimeException e) {
                // unparseable: the listing falls back to its highest UID + 1
              }
            }
          }
        }
      }
      return (Void) null;
    }).recover(err -> Future.succeededFuture());
  }

  /** RFC 7162 3.1.2.2: state off, or the store unreachable: say so, and keep working as a plain proxy. */
  /** The EXISTS held back during a QRESYNC select: the final listing's count. */
  private static void owedExists(Session s, SelectedMailbox mb) {
    if (mb.holdingExists()) {
      mb.holdingExists(false);
      if (mb.modSeq()) {
        // Messages that arrived after the listing are told with their UIDs, before the tagged OK (MailboxSync.settle)
        s.writeLine("* " + mb.announceKnown() + " EXISTS");
      } else {
        mb.announce(); // NOMODSEQ: a plain proxy from now on, nothing is held back
        s.writeLine("* " + mb.size() + " EXISTS");
      }
      mb.takeHeldLines().forEach(s::write); // UIDVALIDITY and the rest, after the count (MailboxSync.Opening.held)
    }
  }

  private static Future<Void> noModSeq(Session s, SelectedMailbox mb) {
    mb.snapshot(null);
    owedExists(s, mb);
    mb.saidNoModSeq(s.sync().condstore()); // only what was said binds (RFC 7162 3.1: "unless ... sent a NOMODSEQ")
    if (s.sync().condstore()) {
      s.sync().noModSeq();
      s.writeLine("* OK [NOMODSEQ] Sorry, this mailbox has no mod-sequences right now");
    }
    return Future.succeededFuture();
  }

  private static Qresync parseQresync(List<Token> p) {
    if (p.size() < 2 || p.size() > 4) {
      throw ImapException.bad("Invalid QRESYNC parameter");
    }
    long uidValidity = Args.number32(p.get(0), "UIDVALIDITY");
    long modSeq = Args.number(p.get(1), "mod-sequence");
    if (uidValidity == 0) {
      throw ImapException.bad("Invalid UIDVALIDITY");
    }
    String known = null;
    if (p.size() >= 3) {
      if (!(p.get(2) instanceof Token.Atom a)) {
        throw ImapException.bad("Invalid known-uids");
      }
      known = a.value();
      if (known.contains("*")) {
        throw ImapException.bad("Invalid known-uids: '*' is not allowed"); // RFC 7162 section 7, known-uids
      }
      Args.sequenceSet(known, 1); // BAD for 0, numbers above 4294967295 and junk (RFC 9051 section 9)
    }
    // The optional seq-match data (p[3]) only helps a server narrow VANISHED below its horizon; the proxy's
    // answer from known-uids is already exact (RFC 7162 3.2.5.2), so it is accepted and not needed.
    return new Qresync(uidValidity, modSeq, known);
  }

  /** RFC 7162 3.2.5.1: VANISHED (EARLIER) first, then a FETCH for every message changed since the client's modseq. */
  private static Future<Void> qresyncAnswer(Session s, MailboxSync sync, SelectedMailbox mb, Qresync q, long uidNext) {
    if (q.uidValidity() != mb.uidValidity()) {
      return Future.succeededFuture(); // RFC 7162 3.2.5: UIDVALIDITY changed, the client must resync fully
    }
    MailboxSnapshot snap = mb.snapshot();
    long top = Math.max(1, Math.max(uidNext - 1, Math.max(mb.lastKnownUid(), snap.uids().isEmpty() ? 1 : snap.uids().last())));
    UidSet known = q.knownUids() == null ? null : UidSet.parse(q.knownUids(), top);
    return sync.onLoop(sync.store().vanishedSince(mb.id(), mb.uidValidity(), q.modSeq())).map(v -> {
      UidSet vanished;
      if (v instanceof Vanished.Exact exact) {
        // RFC 7162 3.2.5.1: only UIDs the client named, when it named any
        vanished = known == null ? exact.uids() : exact.uids().intersect(known);
      } else {
        // Below the expunge-log horizon: every UID the client may know that is not here any more. Omitted known-uids
        // means 1:<UIDNEXT-1> (3.2.5.1); VANISHED (EARLIER) may name UIDs the client never saw.
        UidSet range = known != null ? known : UidSet.range(1, top);
        vanished = range.minus(snap.uids());
      }
      // Never a message this session still shows: the store may already log an expunge (by another session) that
      // this session's backend connection has not reported yet; the client was just told it exists (EXISTS counts
      // it), and it gets "* VANISHED" when the backend reports it. RFC 7162 3.2.10.1: VANISHED (EARLIER) does not
      // renumber, so naming a message still counted would leave the client's numbering off from the server's.
      vanished = vanished.minus(mb.announcedUids());
      if (!vanished.isEmpty()) {
        s.writeLine("* VANISHED (EARLIER) " + vanished.toImapString());
      }
      for (MessageState m : snap.changedSince(q.modSeq())) {
        int seq = mb.seqOf(m.uid());
        // RFC 7162 3.2.5.2: with known-uids, the server reports only the messages the client named.
        if (seq > 0 && (known == null || known.contains(m.uid()))) {
          s.writeLine("* " + seq + " FETCH (UID " + m.uid() + " FLAGS " + m.flags().toImap() + " MODSEQ (" + m.modSeq() + "))");
        }
      }
      return null;
    });
  }
}

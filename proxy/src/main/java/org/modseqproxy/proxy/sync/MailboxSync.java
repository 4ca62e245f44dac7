package org.modseqproxy.proxy.sync;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.command.Command;
import org.modseqproxy.proxy.command.Session;
import org.modseqproxy.proxy.command.SessionState;

/** The sync funnel (v0: transparent). */
public final class MailboxSync {
  private final Session session;
  private final StatePolicy policy;
  private boolean condstore;
  private boolean qresync;

  public MailboxSync(Session session, StatePolicy policy) {
    this.session = session;
    this.policy = policy;
  }

  public List<String> enable(Set<String> names) {
    List<String> newly = new ArrayList<>();
    if (names.contains("CONDSTORE") && !condstore) {
      condstore = true;
      newly.add("CONDSTORE");
    }
    if (names.contains("QRESYNC") && !qresync) {
      qresync = true;
      if (!condstore) {
        condstore = true;
      }
      newly.add("QRESYNC");
    }
    return newly;
  }

  public void untagged(Frame frame) {
    session.write(frame.raw());
  }

  public void streamStart(Frame head, long size) {
    session.write(head.raw());
  }

  public void streamContinued(Frame frame) {
    session.write(frame.raw());
  }

  public Future<Void> beforeCommand() {
    return Future.succeededFuture();
  }

  public Future<Void> finish(Command cmd, Frame tagged) {
    session.relayTagged(cmd.tag(), tagged);
    return Future.succeededFuture();
  }

  private Future<Void> pass(Command cmd) {
    return session.forward(cmd).compose(t -> finish(cmd, t));
  }

  public Future<Void> select(Command cmd) {
    return session.forward(cmd).compose(t -> {
      session.state("OK".equals(t.keyword()) ? SessionState.SELECTED : SessionState.AUTHENTICATED);
      return finish(cmd, t);
    });
  }

  public Future<Void> status(Command cmd) {
    return pass(cmd);
  }

  public Future<Void> rename(Command cmd) {
    return pass(cmd);
  }

  public Future<Void> delete(Command cmd) {
    return pass(cmd);
  }

  public Future<Void> fetch(Command cmd) {
    return pass(cmd);
  }

  public Future<Void> store(Command cmd) {
    return pass(cmd);
  }

  public Future<Void> search(Command cmd) {
    return pass(cmd);
  }

  public Future<Void> expunge(Command cmd) {
    return pass(cmd);
  }

  public Future<Void> close(Command cmd) {
    return session.forward(cmd).compose(t -> {
      if ("OK".equals(t.keyword())) {
        session.state(SessionState.AUTHENTICATED);
      }
      return finish(cmd, t);
    });
  }
}

package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** See MailboxSync.expunge: the funnel owns every answer that carries mod-sequences. */
final class Expunge {
  private Expunge() {}

  static Future<Void> handle(Command cmd, Session s) {
    return s.sync().expunge(cmd);
  }
}

package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** See MailboxSync.select: the funnel owns every answer that carries mod-sequences. */
final class Select {
  private Select() {}

  static Future<Void> handle(Command cmd, Session s) {
    return s.sync().select(cmd);
  }
}

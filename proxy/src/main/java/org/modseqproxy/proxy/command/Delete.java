package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** See MailboxSync.delete: the funnel owns every answer that carries mod-sequences. */
final class Delete {
  private Delete() {}

  static Future<Void> handle(Command cmd, Session s) {
    return s.sync().delete(cmd);
  }
}

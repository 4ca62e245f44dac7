package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** See MailboxSync.close: the funnel owns every answer that carries mod-sequences. */
final class Close {
  private Close() {}

  static Future<Void> handle(Command cmd, Session s) {
    return s.sync().close(cmd);
  }
}

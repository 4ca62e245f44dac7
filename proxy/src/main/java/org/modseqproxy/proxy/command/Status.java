package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** See MailboxSync.status: the funnel owns every answer that carries mod-sequences. */
final class Status {
  private Status() {}

  static Future<Void> handle(Command cmd, Session s) {
    return s.sync().status(cmd);
  }
}

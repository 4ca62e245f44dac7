package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** See MailboxSync.store: the funnel owns every answer that carries mod-sequences. */
final class Store {
  private Store() {}

  static Future<Void> handle(Command cmd, Session s) {
    return s.sync().store(cmd);
  }
}

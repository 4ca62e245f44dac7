package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** See MailboxSync.fetch: the funnel owns every answer that carries mod-sequences. */
final class Fetch {
  private Fetch() {}

  static Future<Void> handle(Command cmd, Session s) {
    return s.sync().fetch(cmd);
  }
}

package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** See MailboxSync.search: the funnel owns every answer that carries mod-sequences. */
final class Search {
  private Search() {}

  static Future<Void> handle(Command cmd, Session s) {
    return s.sync().search(cmd);
  }
}

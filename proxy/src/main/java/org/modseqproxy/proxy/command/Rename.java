package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** See MailboxSync.rename: the funnel owns every answer that carries mod-sequences. */
final class Rename {
  private Rename() {}

  static Future<Void> handle(Command cmd, Session s) {
    return s.sync().rename(cmd);
  }
}

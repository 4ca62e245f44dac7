package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/**
 * One command the proxy understands. The returned future completes once the tagged answer has been written to the
 * client; the session reads the next command only then. A failed future with an {@link ImapException} becomes the
 * tagged NO/BAD (the session maps it, in one place).
 */
@FunctionalInterface
public interface CommandHandler {
    Future<Void> handle(Command command, Session session);
}

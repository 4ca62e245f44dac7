package org.modseqproxy.proxy.command;

import io.vertx.core.Future;

/** Everything the proxy does not rewrite: forwarded as written; the sync funnel finishes it (RFC 7162 3.1.4, 3.2.10). */
final class PassThrough {
    private PassThrough() {}

    static Future<Void> handle(Command cmd, Session s) {
        if (!searchesWithUpdates(cmd)) {
            return s.forward(cmd).compose(tagged -> s.sync().finish(cmd.tag(), tagged));
        }
        // RFC 5267 4.1: the backend keeps this search's result up to date after the tagged OK, naming our tag.
        return s.forward(cmd).compose(tagged -> {
            if ("OK".equals(tagged.keyword())) {
                s.updateContexts().opened(tagged.tag(), cmd.tag());
            }
            return s.sync().finish(cmd.tag(), tagged);
        });
    }

    private static boolean searchesWithUpdates(Command cmd) {
        return switch (cmd.name()) {
            case "SEARCH", "UID SEARCH", "SORT", "UID SORT" -> UpdateContexts.wantsUpdates(cmd.args());
            default -> false;
        };
    }
}

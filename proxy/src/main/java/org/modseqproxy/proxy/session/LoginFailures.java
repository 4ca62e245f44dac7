package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.modseqproxy.proxy.command.ImapException;

/**
 * The failed LOGIN/AUTHENTICATE attempts of one connection: each NO is answered after {@code limits.loginFailureDelay},
 * and after {@code limits.maxLoginFailures} the connection is closed (as Dovecot's auth_failure_delay and imap-login
 * do), so guessing a password costs time per try.
 */
final class LoginFailures {
    private final ProxyRuntime rt;
    private final Runnable closeAfterAnswer;
    private int count;

    LoginFailures(ProxyRuntime rt, Runnable closeAfterAnswer) {
        this.rt = rt;
        this.closeAfterAnswer = closeAfterAnswer;
    }

    /** Counts one failure; the returned future fails with {@code no} once the delay has passed. */
    Future<Void> failed(ImapException no) {
        count++;
        boolean last = count >= rt.config().limits().maxLoginFailures();
        rt.metrics().loginRefused(last ? "too_many_failures" : "failed");
        Promise<Void> later = Promise.promise();
        rt.vertx().setTimer(Math.max(1, rt.config().limits().loginFailureDelay().toMillis()), t -> {
            if (last) {
                closeAfterAnswer.run();
            }
            later.fail(no);
        });
        return later.future();
    }
}

package org.modseqproxy.proxy.session;

import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * The two deadlines of a client session, one Vert.x timer each, never one per read: the login deadline
 * (limits.loginTimeout, issue 10: a connection that never logs in is closed whatever it trickles) and the idle
 * autologout (RFC 9051 5.4: at least 30 minutes by default), re-armed from the time of the last complete input.
 */
final class SessionTimers {
    private final Vertx vertx;
    private final Duration idleTimeout;
    private final Runnable onIdle;
    private long idleTimer = -1;
    private long loginTimer = -1;
    private long lastInput = System.nanoTime();
    private boolean cancelled;

    SessionTimers(Vertx vertx, Duration idleTimeout, Runnable onIdle) {
        this.vertx = vertx;
        this.idleTimeout = idleTimeout;
        this.onIdle = onIdle;
    }

    /** Runs {@code onTimeout} after {@code loginTimeout} unless cancelled first. */
    void loginDeadline(Duration loginTimeout, Runnable onTimeout) {
        loginTimer = vertx.setTimer(Math.max(1, loginTimeout.toMillis()), t -> {
            loginTimer = -1;
            if (!cancelled) {
                onTimeout.run();
            }
        });
    }

    /** A complete line or literal data arrived (a trickle of bytes is not activity). */
    void touch() {
        lastInput = System.nanoTime();
        if (idleTimer < 0 && !cancelled) {
            armIdle(idleTimeout.toMillis());
        }
    }

    private void armIdle(long delayMillis) {
        idleTimer = vertx.setTimer(Math.max(1, delayMillis), t -> {
            idleTimer = -1;
            if (cancelled) {
                return;
            }
            long idle = (System.nanoTime() - lastInput) / 1_000_000;
            if (idle >= idleTimeout.toMillis()) {
                onIdle.run();
            } else {
                armIdle(idleTimeout.toMillis() - idle);
            }
        });
    }

    void cancel() {
        cancelled = true;
        if (idleTimer >= 0) {
            vertx.cancelTimer(idleTimer);
        }
        if (loginTimer >= 0) {
            vertx.cancelTimer(loginTimer);
        }
    }
}

package org.modseqproxy.proxy.session;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The backend response timeout: armed when a command goes out, it fires only after the backend has been silent for
 * the whole timeout while a command is outstanding. Silence is normal in IDLE (RFC 2177) and while we hold the
 * backend's input ourselves (backpressure toward a slow client), so those only re-arm it.
 */
final class StallWatch {
    private final Vertx vertx;
    private final Duration timeout;
    private final BooleanSupplier waiting;
    private final BooleanSupplier silenceIsNormal;
    private final Runnable onStall;
    private long lastActivity = System.nanoTime();
    private long timer = -1;

    /**
     * @param waiting a command is outstanding and the connection is open
     * @param silenceIsNormal IDLE, or input paused by us
     */
    StallWatch(
            Vertx vertx, Duration timeout, BooleanSupplier waiting, BooleanSupplier silenceIsNormal, Runnable onStall) {
        this.vertx = vertx;
        this.timeout = timeout;
        this.waiting = waiting;
        this.silenceIsNormal = silenceIsNormal;
        this.onStall = onStall;
    }

    /** Something arrived from the backend (or a silent phase began). */
    void activity() {
        lastActivity = System.nanoTime();
    }

    void arm() {
        if (timer >= 0 || timeout.isZero()) {
            return;
        }
        long timeoutNanos = timeout.toNanos();
        timer = vertx.setTimer(Math.max(1, timeout.toMillis()), new Handler<>() {
            @Override
            public void handle(Long id) {
                timer = -1;
                if (!waiting.getAsBoolean()) {
                    return;
                }
                long silent = System.nanoTime() - lastActivity;
                boolean normal = silenceIsNormal.getAsBoolean();
                if (!normal && silent >= timeoutNanos) {
                    onStall.run();
                } else {
                    long wait = normal ? timeoutNanos : timeoutNanos - silent;
                    timer = vertx.setTimer(Math.max(1, wait / 1_000_000), this);
                }
            }
        });
    }

    void cancel() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}

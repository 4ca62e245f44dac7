package org.modseqproxy.state.impl;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closed while calls succeed; open after a failure, so calls fail at once instead of each waiting for a timeout.
 * After {@code retryDelay} one trial call (or the store's background probe) may go through: success closes the
 * circuit, failure keeps it open for another delay.
 */
public final class CircuitBreaker {

    private final long retryDelayNanos;
    private volatile boolean open;
    private volatile long retryAt;
    private final AtomicBoolean trialInFlight = new AtomicBoolean();

    public CircuitBreaker(Duration retryDelay) {
        this.retryDelayNanos = retryDelay.toNanos();
    }

    /** True when closed. */
    public boolean isClosed() {
        return !open;
    }

    /** May a call go through now? Closed: yes. Open: only one trial once the retry delay has passed. */
    public boolean tryAcquire() {
        if (!open) {
            return true;
        }
        return System.nanoTime() - retryAt >= 0 && trialInFlight.compareAndSet(false, true);
    }

    public void success() {
        open = false;
        trialInFlight.set(false);
    }

    public void failure() {
        retryAt = System.nanoTime() + retryDelayNanos;
        open = true;
        trialInFlight.set(false);
    }
}

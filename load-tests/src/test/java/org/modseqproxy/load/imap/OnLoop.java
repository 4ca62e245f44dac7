package org.modseqproxy.load.imap;

import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Test helper: runs an action on a Netty event loop, as Gatling does, and waits for its result from the test. */
final class OnLoop {
    private OnLoop() {}

    static <T> T run(EventLoop loop, Supplier<CompletableFuture<T>> action) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> action.get().whenComplete((value, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(value);
            }
        }));
        return result.get(60, TimeUnit.SECONDS);
    }
}

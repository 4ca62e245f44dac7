package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The soak of issue 13 showed the proxy's thread count growing by one a minute: each periodic certificate check ran
 * on a new worker thread until Vert.x's default pool of 20 was full. The proxy's Vert.x keeps its pool small.
 */
class WorkerThreadsTest {
    @Test
    void periodicBlockingChecksReuseASmallPool() throws Exception {
        Vertx vertx = ImapProxy.newVertx();
        try {
            Set<Thread> used = ConcurrentHashMap.newKeySet();
            Future<Void> chain = Future.succeededFuture();
            for (int i = 0; i < 30; i++) { // one after another, as a periodic check runs
                chain = chain.compose(v -> vertx.executeBlocking(() -> {
                    used.add(Thread.currentThread());
                    return null;
                }));
            }
            chain.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(used).hasSizeLessThanOrEqualTo(ImapProxy.WORKER_THREADS);
        } finally {
            vertx.close();
        }
    }
}

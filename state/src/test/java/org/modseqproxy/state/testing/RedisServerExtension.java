package org.modseqproxy.state.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension: one {@link RedisServerFixture} per test class, started before the first test and killed after
 * the last. Use as {@code @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();}
 * and call {@code REDIS.server()}.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

    private RedisServerFixture server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisServerFixture.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public RedisServerFixture server() {
        if (server == null) {
            throw new IllegalStateException("RedisServerExtension not started (register it as a static field)");
        }
        return server;
    }
}

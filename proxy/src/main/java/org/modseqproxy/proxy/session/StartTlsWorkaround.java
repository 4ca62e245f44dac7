package org.modseqproxy.proxy.session;

import io.vertx.core.net.NetServer;
import java.lang.reflect.Field;

/**
 * Vert.x 5.0.7 defect: when several verticle instances listen on one port, only the first NetServer (the one that
 * binds) creates an SslContextManager; sockets accepted for the other instances are built with that instance's own
 * field, which is null, so {@code NetSocket.upgradeToSsl} (STARTTLS, RFC 9051 6.2.1) throws a NullPointerException
 * on every connection that Vert.x hands to a non-binding instance (about every second one with two event loops).
 * Implicit TLS is not affected (it reads the binding server's context provider). After listen, the non-binding
 * servers get the binding server's manager. Remove when Vert.x reads {@code actualServer.sslContextManager}.
 */
final class StartTlsWorkaround {
    private StartTlsWorkaround() {}

    /** Call once the server listens; fails loudly (at start, not at the first STARTTLS) if Vert.x changed shape. */
    static void shareSslContextManager(NetServer server) {
        try {
            Class<?> impl = Class.forName("io.vertx.core.net.impl.NetServerImpl");
            if (!impl.isInstance(server)) {
                return;
            }
            Field actual = impl.getDeclaredField("actualServer");
            Field manager = impl.getDeclaredField("sslContextManager");
            actual.setAccessible(true);
            manager.setAccessible(true);
            Object binding = actual.get(server);
            if (binding != null && binding != server && manager.get(server) == null) {
                manager.set(server, manager.get(binding));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot enable STARTTLS on a shared listener with this Vert.x version", e);
        }
    }
}

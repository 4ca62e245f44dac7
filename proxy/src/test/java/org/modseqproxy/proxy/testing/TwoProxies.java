package org.modseqproxy.proxy.testing;

/**
 * Two proxy instances sharing one state store in front of one GreenMail backend: the set-up of every test about
 * several instances behind a load balancer. The second instance can reach the backend through a {@link HoldingRelay},
 * so that a test holds its backend's answers at a chosen point (a listing in flight, an EXPUNGE not yet read).
 */
public final class TwoProxies implements AutoCloseable {
    public final GreenMailBackend backend;
    /** Between the second instance and the backend, or null. */
    public final HoldingRelay relay;

    public final ProxyFixture p1;
    public final ProxyFixture p2;

    private TwoProxies(String storeUri, boolean relaySecond) {
        backend = new GreenMailBackend();
        relay = relaySecond ? new HoldingRelay("127.0.0.1", backend.port()) : null;
        p1 = ProxyFixture.start("127.0.0.1", backend.port(), storeUri, c -> {});
        p2 = ProxyFixture.start("127.0.0.1", relaySecond ? relay.port() : backend.port(), storeUri, c -> {});
    }

    /** Both instances straight to the backend; {@code storeUri} is a redis:// (Sentinel, Cluster) URI. */
    public static TwoProxies start(String storeUri) {
        return new TwoProxies(storeUri, false);
    }

    /** The second instance reaches the backend through a {@link HoldingRelay}. */
    public static TwoProxies startSecondThroughRelay(String storeUri) {
        return new TwoProxies(storeUri, true);
    }

    @Override
    public void close() {
        try (GreenMailBackend b = backend;
                AutoCloseable r = relay == null ? () -> {} : relay;
                ProxyFixture first = p1;
                ProxyFixture second = p2) {
            // closed in reverse order: the proxies, the relay, then the backend
        } catch (Exception e) {
            throw new IllegalStateException("closing two proxies", e);
        }
    }
}

package org.modseqproxy.proxy.session;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.modseqproxy.proxy.config.ProxyConfig;

/**
 * Which users are traced (trace.users, changed at runtime by the admin endpoint), shared by every listener instance,
 * and where their files go: {@code <trace.dir>/<user>/<yyyyMMdd-HHmmss>-<session>.log}.
 */
public final class Tracing {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final ProxyConfig.Trace config;
    private final Set<String> users = ConcurrentHashMap.newKeySet();

    public Tracing(ProxyConfig.Trace config) {
        this.config = config;
        users.addAll(config.users());
    }

    public boolean traced(String user) {
        return user != null && users.contains(user);
    }

    /** Switches the trace for a user's future logins; the caller switches the sessions already open. */
    public void trace(String user, boolean on) {
        if (on) {
            users.add(user);
        } else {
            users.remove(user);
        }
    }

    public List<String> users() {
        return users.stream().sorted().toList();
    }

    public String dir() {
        return config.dir();
    }

    TraceFile open(Vertx vertx, SessionView view) {
        Path file = Path.of(
                config.dir(),
                safe(view.user()),
                STAMP.format(LocalDateTime.now(ZoneOffset.UTC)) + "-" + view.id() + ".log");
        String header = "# modseq-proxy trace: session " + view.id() + ", user " + view.user() + ", client "
                + view.client() + ", connected " + view.since() + "\n";
        return TraceFile.open(vertx, file, header, config.maxBytesPerSession(), config.maskLiteralsAbove());
    }

    /** A user name as one path segment: nothing that climbs out of the trace directory. */
    static String safe(String user) {
        String s = user.replaceAll("[^A-Za-z0-9._@+-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }
}

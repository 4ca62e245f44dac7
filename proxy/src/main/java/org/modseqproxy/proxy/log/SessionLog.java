package org.modseqproxy.proxy.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The log of one client session: every line carries the session id, the client's address and, once logged in, the
 * user, as key-value pairs (SLF4J 2), so that the text format prints them after the message and the JSON format as
 * fields. Explicit rather than MDC: a session's callbacks run on an event loop shared with thousands of others, where a
 * thread-local would belong to whichever session ran last. Never given a secret: callers log names and reasons only.
 */
public final class SessionLog {
    private static final Logger LOG = LoggerFactory.getLogger("org.modseqproxy.session");

    private final String session;
    private final String client;
    private volatile String user;

    public SessionLog(String session, String client) {
        this.session = session;
        this.client = client;
    }

    /** A log for code that runs outside any session (tests, internal tools). */
    public static SessionLog none() {
        return new SessionLog("-", "-");
    }

    public String session() {
        return session;
    }

    public void user(String user) {
        this.user = user;
    }

    public void debug(String format, Object... args) {
        log(Level.DEBUG, format, args);
    }

    public void info(String format, Object... args) {
        log(Level.INFO, format, args);
    }

    public void warn(String format, Object... args) {
        log(Level.WARN, format, args);
    }

    /** The last argument may be a Throwable, logged with its stack trace as SLF4J does. */
    public void error(String format, Object... args) {
        log(Level.ERROR, format, args);
    }

    private void log(Level level, String format, Object... args) {
        if (!LOG.isEnabledForLevel(level)) {
            return;
        }
        LoggingEventBuilder e =
                LOG.atLevel(level).addKeyValue("session", session).addKeyValue("client", client);
        String u = user;
        if (u != null) {
            e = e.addKeyValue("user", u);
        }
        e = e.setMessage(format);
        for (int i = 0; i < args.length; i++) {
            if (i == args.length - 1 && args[i] instanceof Throwable t) {
                e = e.setCause(t);
            } else {
                e = e.addArgument(args[i]);
            }
        }
        e.log();
    }
}

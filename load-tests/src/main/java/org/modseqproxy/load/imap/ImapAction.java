package org.modseqproxy.load.imap;

import com.typesafe.scalalogging.Logger;
import io.gatling.commons.stats.KO$;
import io.gatling.commons.stats.OK$;
import io.gatling.commons.stats.Status;
import io.gatling.core.action.Action;
import io.gatling.core.session.Session;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import scala.Option;

/**
 * One IMAP request of a virtual user, as a Gatling core (Scala) {@link Action}, implemented in Java.
 *
 * <p>{@link #execute} writes the command and returns at once; the reply arrives later on the same event
 * loop (see {@link ImapConnection}), is checked, reported to the stats engine (response time, OK/KO), and
 * only then is the next action of the scenario run with the updated session. Nothing blocks.
 */
final class ImapAction implements Action {

    enum Kind {
        /** Connects first when the user has no open connection (TCP connect + greeting count in its time). */
        LOGIN,
        COMMAND,
        IDLE,
        /** Closes and forgets the connection after the tagged completion. */
        LOGOUT
    }

    private final String requestName;
    private final Kind kind;
    private final CommandTemplate template;
    /** The line sent when the server answers the command with "+" (a SASL response), or null. */
    private final CommandTemplate response;

    private final Duration idleFor;
    private final List<ImapCheck> checks;
    private final ImapComponents components;
    private final Action next;
    private Logger logger;

    ImapAction(
            String requestName,
            Kind kind,
            CommandTemplate template,
            CommandTemplate response,
            Duration idleFor,
            List<ImapCheck> checks,
            ImapComponents components,
            Action next) {
        this.requestName = requestName;
        this.kind = kind;
        this.template = template;
        this.response = response;
        this.idleFor = idleFor;
        this.checks = checks;
        this.components = components;
        this.next = next;
        this.logger = Logger.apply(ImapAction.class);
    }

    @Override
    public String name() {
        return "imap:" + requestName;
    }

    @Override
    public void execute(Session session) {
        String command;
        String answer;
        try {
            command = template.render(session);
            answer = response == null ? null : response.render(session);
        } catch (IllegalArgumentException e) {
            // Same treatment as Gatling's own actions: a crash entry in the report, the user goes on as failed.
            components.statsEngine.logRequestCrash(session.scenario(), session.groups(), requestName, e.getMessage());
            next.$bang(session.markAsFailed());
            return;
        }
        ImapConnection open = connectionOf(session);
        long start = components.clock.nowMillis();
        CompletableFuture<ImapConnection> ready;
        if (open != null && open.isOpen()) {
            ready = CompletableFuture.completedFuture(open);
        } else if (kind == Kind.LOGIN) {
            ready = ImapConnection.open(components.endpoint, session.eventLoop());
        } else {
            ready = CompletableFuture.failedFuture(new IllegalStateException("not connected: login() first"));
        }
        ImapConnection[] used = {open};
        ready.thenCompose(connection -> {
                    used[0] = connection;
                    if (kind == Kind.IDLE) {
                        return connection.idle(idleFor);
                    }
                    return answer == null ? connection.execute(command) : connection.execute(command, answer);
                })
                .whenComplete((reply, error) -> finish(session, command, used[0], start, reply, error));
    }

    private void finish(
            Session session, String command, ImapConnection connection, long start, ImapReply reply, Throwable error) {
        Session updated = session;
        try {
            long end = components.clock.nowMillis();
            Map<String, Object> saves = new LinkedHashMap<>();
            String failure = error != null ? describe(error) : verify(reply, session, saves);
            if (connection != null && error == null && kind != Kind.LOGOUT) {
                updated = updated.set(ImapConnection.SESSION_KEY, connection);
            } else {
                if (connection != null) {
                    connection.close(); // after LOGOUT, or after an error that left the connection in doubt
                }
                updated = updated.remove(ImapConnection.SESSION_KEY);
            }
            for (Map.Entry<String, Object> save : saves.entrySet()) {
                updated = updated.set(save.getKey(), save.getValue());
            }
            // IDLE: the time spent idle on purpose is not server latency; start the clock after it.
            long reportedStart = reply == null ? start : Math.min(end, start + reply.idledMillis());
            Status status = failure == null ? OK$.MODULE$ : KO$.MODULE$;
            components.statsEngine.logResponse(
                    session.scenario(),
                    session.groups(),
                    requestName,
                    reportedStart,
                    end,
                    status,
                    reply == null ? Option.empty() : Option.apply(reply.status().name()),
                    Option.apply(failure));
            updated = updated.logGroupRequestTimings(reportedStart, end);
            if (failure != null) {
                updated = updated.markAsFailed();
                if (logger.underlying().isDebugEnabled()) {
                    logger.underlying()
                            .debug(
                                    "KO {} (user {}): {}\nsent: {}\nreceived:\n{}",
                                    requestName,
                                    session.userId(),
                                    failure,
                                    kind == Kind.LOGIN ? "LOGIN ***" : command,
                                    reply == null ? "-" : String.join("\n", reply.lines()));
                }
            }
        } catch (RuntimeException e) {
            // Never lose a virtual user: whatever went wrong here, the scenario must go on.
            logger.underlying().error("IMAP action {} failed unexpectedly", requestName, e);
            updated = updated.markAsFailed();
        }
        next.$bang(updated);
    }

    private String verify(ImapReply reply, Session session, Map<String, Object> saves) {
        for (ImapCheck check : checks) {
            String failure = check.verify(
                    reply,
                    key -> {
                        Option<Object> value = session.attributes().get(key);
                        return value.isDefined() ? value.get() : null;
                    },
                    saves);
            if (failure != null) {
                return failure;
            }
        }
        return null;
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static ImapConnection connectionOf(Session session) {
        Option<Object> value = session.attributes().get(ImapConnection.SESSION_KEY);
        return value.isDefined() ? (ImapConnection) value.get() : null;
    }

    // Action extends Scala's StrictLogging trait: a Java class must provide its logger field by hand.
    @Override
    public Logger logger() {
        return logger;
    }

    @Override
    public void com$typesafe$scalalogging$StrictLogging$_setter_$logger_$eq(Logger logger) {
        this.logger = logger;
    }
}

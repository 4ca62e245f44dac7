package org.modseqproxy.metrics;

import static org.modseqproxy.metrics.MeterNames.*;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The proxy's meters, on a Prometheus registry it owns. One instance per process; every method is
 * thread-safe and cheap enough to call from an event loop (no I/O, no locks on the hot paths).
 *
 * <p>Label values are normalised here, so a bug or a hostile client cannot blow up the number of
 * series: command names outside {@link #KNOWN_COMMANDS} become {@value MeterNames#OTHER_COMMAND},
 * statuses outside OK/NO/BAD become ERROR, unknown connect-failure reasons become "other". Directions
 * and resync kinds are fixed sets chosen by the proxy's own code, so an unknown one is a programming
 * error and throws {@link IllegalArgumentException}.
 */
public final class ProxyMetrics implements AutoCloseable {

    /** Content type of {@link #scrape()}: Prometheus text exposition format 0.0.4. */
    public static final String SCRAPE_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /**
     * Command names kept as their own label value (upper case, one space between words). IMAP4rev2
     * (RFC 9051 6) plus the extensions a proxy in front of a legacy store sees in practice.
     */
    public static final Set<String> KNOWN_COMMANDS = Set.of(
            "CAPABILITY",
            "NOOP",
            "LOGOUT",
            "STARTTLS",
            "AUTHENTICATE",
            "LOGIN",
            "ENABLE",
            "ID",
            "COMPRESS",
            "SELECT",
            "EXAMINE",
            "CREATE",
            "DELETE",
            "RENAME",
            "SUBSCRIBE",
            "UNSUBSCRIBE",
            "LIST",
            "LSUB",
            "NAMESPACE",
            "STATUS",
            "APPEND",
            "IDLE",
            "CHECK",
            "CLOSE",
            "UNSELECT",
            "EXPUNGE",
            "SEARCH",
            "FETCH",
            "STORE",
            "COPY",
            "MOVE",
            "SORT",
            "THREAD",
            "UID FETCH",
            "UID STORE",
            "UID SEARCH",
            "UID COPY",
            "UID MOVE",
            "UID EXPUNGE",
            "UID SORT",
            "UID THREAD",
            "GETQUOTA",
            "GETQUOTAROOT",
            "SETQUOTA",
            "GETACL",
            "SETACL",
            "DELETEACL",
            "LISTRIGHTS",
            "MYRIGHTS",
            "GETMETADATA",
            "SETMETADATA");

    private static final Set<String> NOMODSEQ_REASONS =
            Set.of(NOMODSEQ_STATE_OFF, NOMODSEQ_STORE_DOWN, NOMODSEQ_BACKEND);

    private static final Set<String> CLIENT_RESYNC_KINDS =
            Set.of(CLIENT_RESYNC_QRESYNC_SELECT, CLIENT_RESYNC_CHANGEDSINCE, CLIENT_RESYNC_VANISHED);

    private static final Set<String> TLS_REASONS =
            Set.of(TLS_NOT_TLS, TLS_CERTIFICATE, TLS_PROTOCOL, TLS_TIMEOUT, TLS_CLOSED, TLS_OTHER);

    private static final Set<String> KNOWN_REASONS = Set.of(
            REASON_TIMEOUT, REASON_REFUSED, REASON_DNS, REASON_TLS, REASON_GREETING, REASON_CLOSED, REASON_OTHER);

    /** Store operation names are code constants; this only guards against accidents. */
    private static final Pattern OP_NAME = Pattern.compile("[a-z0-9_]{1,32}");

    private static final String[] STATUSES = {STATUS_OK, STATUS_NO, STATUS_BAD, STATUS_ERROR};

    /*
     * Explicit histogram buckets rather than Micrometer's percentile histogram (about 70 buckets per
     * series): ~50 commands x 4 statuses must stay a few thousand series. Command buckets reach 60s
     * because IDLE and big FETCHes are long; anything longer lands in +Inf.
     */
    private static final Duration[] COMMAND_BUCKETS =
            millis(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000);
    /** Store buckets end just above the default store timeout (2s), beyond which the circuit opens. */
    private static final Duration[] STORE_BUCKETS = micros(
            250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_000_000,
            5_000_000);

    private static final double[] RESYNC_BUCKETS = {
        1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 100_000
    };

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics;

    private final AtomicLong activeSessions = new AtomicLong();
    private final Counter sessionsTotal;
    private final Counter bytesClientIn;
    private final Counter bytesClientOut;
    private final Counter bytesBackendIn;
    private final Counter bytesBackendOut;
    /** command label -> timers indexed like STATUSES, filled lazily; bounded by KNOWN_COMMANDS + OTHER. */
    private final ConcurrentHashMap<String, AtomicReferenceArray<Timer>> commandTimers = new ConcurrentHashMap<>();

    private final AtomicReference<BooleanSupplier> storeAvailable = new AtomicReference<>();

    public ProxyMetrics(String instanceId) {
        if (instanceId == null || instanceId.isBlank()) {
            throw new IllegalArgumentException("instanceId must not be blank");
        }
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags(TAG_INSTANCE, instanceId);

        // Process-level meters an operator expects next to ours (heap, GC pauses, threads, fds, CPU).
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);

        Gauge.builder(SESSIONS_ACTIVE, activeSessions, AtomicLong::get)
                .description("Client connections open now")
                .register(registry);
        sessionsTotal = Counter.builder(SESSIONS)
                .description("Client connections accepted")
                .register(registry);
        bytesClientIn = bytesCounter(DIRECTION_CLIENT_IN);
        bytesClientOut = bytesCounter(DIRECTION_CLIENT_OUT);
        bytesBackendIn = bytesCounter(DIRECTION_BACKEND_IN);
        bytesBackendOut = bytesCounter(DIRECTION_BACKEND_OUT);
        // Registered up front so dashboards show 0 rather than "no data" before the first resync.
        for (String kind : new String[] {RESYNC_FULL, RESYNC_INCREMENTAL, RESYNC_NOMODSEQ}) {
            resyncCounter(kind);
            resyncSummary(kind);
        }
        for (String reason : NOMODSEQ_REASONS) {
            nomodseqCounter(reason);
        }
        enabledCounter(EXTENSION_CONDSTORE);
        enabledCounter(EXTENSION_QRESYNC);
        for (String kind : CLIENT_RESYNC_KINDS) {
            for (String name : new String[] {RESYNC_SENT_BYTES, RESYNC_FULL_BYTES, RESYNC_SAVED_BYTES}) {
                clientResyncCounter(name, kind);
            }
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    // ---- sessions ------------------------------------------------------------------------------------

    public void sessionOpened() {
        activeSessions.incrementAndGet();
        sessionsTotal.increment();
    }

    public void sessionClosed() {
        activeSessions.decrementAndGet();
    }

    public void loginResult(String backend, boolean ok) {
        Counter.builder(LOGINS)
                .description("Login attempts relayed to a backend, by outcome")
                .tag(TAG_BACKEND, backendLabel(backend))
                .tag(TAG_RESULT, ok ? RESULT_SUCCESS : RESULT_FAILURE)
                .register(registry)
                .increment();
    }

    /**
     * A refusal on the pre-login side (issue 10): {@code failed} (a failed login, answered late), {@code
     * too_many_failures} (the connection is closed), {@code login_timeout}, {@code per_ip_limit}.
     */
    public void loginRefused(String reason) {
        Counter.builder(LOGIN_REFUSALS)
                .description("Connections and logins refused or slowed before authentication, by reason")
                .tag(TAG_REASON, reason == null ? "unknown" : reason)
                .register(registry)
                .increment();
    }

    /**
     * A client's TLS handshake failed ({@link MeterNames#TLS_HANDSHAKE_FAILURES}).
     *
     * @param listener {@code starttls} or {@code implicit}
     * @param reason   one of the {@code TLS_*} reasons; anything else counts as {@code other}
     */
    public void tlsHandshakeFailed(String listener, String reason) {
        if (!LISTENER_STARTTLS.equals(listener) && !LISTENER_IMPLICIT.equals(listener)) {
            throw new IllegalArgumentException("unknown listener: " + listener);
        }
        Counter.builder(TLS_HANDSHAKE_FAILURES)
                .description("Client TLS handshakes that failed, by listener and reason")
                .tag(TAG_LISTENER, listener)
                .tag(TAG_REASON, TLS_REASONS.contains(reason) ? reason : TLS_OTHER)
                .register(registry)
                .increment();
    }

    /** A certificate reload succeeded (new certificates in use) or was refused (the old ones stay). */
    public void tlsReload(boolean ok) {
        Counter.builder(TLS_RELOADS)
                .description("TLS certificate reloads (SIGHUP or a changed file), by result")
                .tag(TAG_RESULT, ok ? RESULT_SUCCESS : RESULT_FAILURE)
                .register(registry)
                .increment();
    }

    /** The expiry (Unix seconds) of the first of the certificates in use ({@link MeterNames#TLS_NOT_AFTER}). */
    public void setTlsNotAfter(LongSupplier epochSecond) {
        Gauge.builder(TLS_NOT_AFTER, epochSecond, s -> (double) s.getAsLong())
                .description("When the first of the proxy's own TLS certificates in use expires, Unix time")
                .baseUnit("seconds")
                .register(registry);
    }

    /** A session turned on COMPRESS=DEFLATE ({@link MeterNames#COMPRESS_SESSIONS}). */
    public void compressStarted() {
        Counter.builder(COMPRESS_SESSIONS)
                .description("Sessions that turned on COMPRESS=DEFLATE (RFC 4978)")
                .register(registry)
                .increment();
    }

    /** Output of compressed sessions since the last call: plain bytes and what DEFLATE made of them. */
    public void compressedOut(long plain, long wire) {
        for (String stage : new String[] {STAGE_PLAIN, STAGE_WIRE}) {
            Counter.builder(COMPRESS_OUT_BYTES)
                    .description("Bytes sent to COMPRESS=DEFLATE sessions, before (plain) and after (wire) DEFLATE")
                    .baseUnit("bytes")
                    .tag(TAG_STAGE, stage)
                    .register(registry)
                    .increment(stage.equals(STAGE_PLAIN) ? plain : wire);
        }
    }

    /** A connection was closed before the greeting for its PROXY protocol header ({@code PROXY_*} reasons). */
    public void proxyProtocolRefused(String reason) {
        Counter.builder(PROXY_PROTOCOL_REFUSED)
                .description("Connections closed before the greeting for their PROXY protocol header, by reason")
                .tag(TAG_REASON, PROXY_UNTRUSTED.equals(reason) ? reason : PROXY_INVALID)
                .register(registry)
                .increment();
    }

    // ---- commands ------------------------------------------------------------------------------------

    /**
     * Records one client command from its tagged line to its tagged completion.
     *
     * @param command the command name as the client sent it ("uid fetch" is fine); normalised
     * @param status  OK, NO or BAD from the tagged response (RFC 9051 7.1), or ERROR when there was none
     * @param nanos   elapsed time in nanoseconds
     */
    public void commandCompleted(String command, String status, long nanos) {
        String label = commandLabel(command);
        AtomicReferenceArray<Timer> timers =
                commandTimers.computeIfAbsent(label, c -> new AtomicReferenceArray<>(STATUSES.length));
        int i = statusIndex(status);
        Timer timer = timers.get(i);
        if (timer == null) {
            // Created on first use so that a scrape shows only statuses that happened. Two threads racing here is
            // harmless: the registry hands both the same Timer for the same name+tags.
            timer = Timer.builder(COMMAND_DURATION)
                    .description("Client command duration, tagged line to tagged completion")
                    .tag(TAG_COMMAND, label)
                    .tag(TAG_STATUS, STATUSES[i])
                    .serviceLevelObjectives(COMMAND_BUCKETS)
                    .register(registry);
            timers.set(i, timer);
        }
        timer.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /** The label value {@link #commandCompleted} uses for a command name (visible for tests). */
    static String commandLabel(String command) {
        if (command == null) {
            return OTHER_COMMAND;
        }
        if (KNOWN_COMMANDS.contains(command)) {
            return command; // the usual case: the proxy passes its own upper-case name
        }
        String normalised = command.trim().replaceAll("\\s+", " ").toUpperCase(Locale.ROOT);
        return KNOWN_COMMANDS.contains(normalised) ? normalised : OTHER_COMMAND;
    }

    private static int statusIndex(String status) {
        if (status != null) {
            for (int i = 0; i < STATUSES.length - 1; i++) {
                if (STATUSES[i].equalsIgnoreCase(status.trim())) {
                    return i;
                }
            }
        }
        return STATUSES.length - 1; // ERROR
    }

    // ---- backend and traffic -------------------------------------------------------------------------

    public void backendConnectFailed(String backend, String reason) {
        String r = reason == null ? REASON_OTHER : reason.trim().toLowerCase(Locale.ROOT);
        Counter.builder(BACKEND_CONNECT_FAILURES)
                .description("Failed connections to a backend, by cause")
                .tag(TAG_BACKEND, backendLabel(backend))
                .tag(TAG_REASON, KNOWN_REASONS.contains(r) ? r : REASON_OTHER)
                .register(registry)
                .increment();
    }

    /**
     * Counts relayed bytes. Called once per buffer, so the four counters are resolved up front.
     *
     * @param direction one of the {@code DIRECTION_*} constants in {@link MeterNames}
     */
    public void bytes(String direction, long n) {
        Counter c = switch (direction == null ? "" : direction) {
            case DIRECTION_CLIENT_IN -> bytesClientIn;
            case DIRECTION_CLIENT_OUT -> bytesClientOut;
            case DIRECTION_BACKEND_IN -> bytesBackendIn;
            case DIRECTION_BACKEND_OUT -> bytesBackendOut;
            default -> throw new IllegalArgumentException("unknown byte direction: " + direction);
        };
        if (n > 0) {
            c.increment(n);
        }
    }

    private Counter bytesCounter(String direction) {
        return Counter.builder(BYTES)
                .description("Bytes relayed")
                .baseUnit("bytes")
                .tag(TAG_DIRECTION, direction)
                .register(registry);
    }

    // ---- mod-sequence store --------------------------------------------------------------------------

    public void storeOperation(String op, boolean ok, long nanos) {
        String o = op == null ? "" : op.trim().toLowerCase(Locale.ROOT);
        Timer.builder(STORE_DURATION)
                .description("Mod-sequence store operation duration")
                .tag(TAG_OP, OP_NAME.matcher(o).matches() ? o : "other")
                .tag(TAG_RESULT, ok ? RESULT_SUCCESS : RESULT_FAILURE)
                .serviceLevelObjectives(STORE_BUCKETS)
                .register(registry)
                .record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /**
     * Sets where {@code modseq_store_available} reads from (e.g. "circuit breaker closed"). Read at
     * every scrape and every /ready, on an event loop: it must not block. Calling it again replaces
     * the source.
     */
    public void setStoreAvailable(BooleanSupplier source) {
        if (source == null) {
            throw new IllegalArgumentException("source must not be null");
        }
        if (storeAvailable.getAndSet(source) == null) {
            Gauge.builder(STORE_AVAILABLE, this, m -> m.storeAvailable().orElse(false) ? 1 : 0)
                    .description("1 if the mod-sequence store is reachable, 0 if clients get NOMODSEQ")
                    .register(registry);
        }
    }

    /** The store's availability now, or empty if no source was set; a throwing source counts as down. */
    public Optional<Boolean> storeAvailable() {
        BooleanSupplier s = storeAvailable.get();
        if (s == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(s.getAsBoolean());
        } catch (RuntimeException e) {
            return Optional.of(false);
        }
    }

    /**
     * Records one mailbox resynchronisation against the backend.
     *
     * @param kind    {@value MeterNames#RESYNC_FULL}, {@value MeterNames#RESYNC_INCREMENTAL} or
     *                {@value MeterNames#RESYNC_NOMODSEQ} (state off or store down: RFC 7162 3.1.2.2)
     * @param changes changes found (new UIDs + flag changes + vanished UIDs)
     */
    public void resync(String kind, int changes) {
        if (!RESYNC_FULL.equals(kind) && !RESYNC_INCREMENTAL.equals(kind) && !RESYNC_NOMODSEQ.equals(kind)) {
            throw new IllegalArgumentException("unknown resync kind: " + kind);
        }
        resyncCounter(kind).increment();
        resyncSummary(kind).record(Math.max(0, changes));
    }

    /** One NOMODSEQ answer (RFC 7162 3.1.2.2), by reason ({@link MeterNames#NOMODSEQ_ANSWERS}). */
    public void noModSeq(String reason) {
        if (!NOMODSEQ_REASONS.contains(reason)) {
            throw new IllegalArgumentException("unknown NOMODSEQ reason: " + reason);
        }
        nomodseqCounter(reason).increment();
    }

    /** A session turned on {@code condstore} or {@code qresync} ({@link MeterNames#ENABLED_SESSIONS}). */
    public void enabled(String extension) {
        if (!EXTENSION_CONDSTORE.equals(extension) && !EXTENSION_QRESYNC.equals(extension)) {
            throw new IllegalArgumentException("unknown extension: " + extension);
        }
        enabledCounter(extension).increment();
    }

    private Counter nomodseqCounter(String reason) {
        return Counter.builder(NOMODSEQ_ANSWERS)
                .description("SELECT/EXAMINE answered NOMODSEQ, by reason")
                .tag(TAG_REASON, reason)
                .register(registry);
    }

    private Counter enabledCounter(String extension) {
        return Counter.builder(ENABLED_SESSIONS)
                .description("Sessions that turned on CONDSTORE or QRESYNC")
                .tag(TAG_EXTENSION, extension)
                .register(registry);
    }

    /**
     * Records one resync a client did itself (see {@link MeterNames#RESYNC_SAVED_BYTES}).
     *
     * @param kind      {@value MeterNames#CLIENT_RESYNC_QRESYNC_SELECT}, {@value MeterNames#CLIENT_RESYNC_CHANGEDSINCE}
     *                  or {@value MeterNames#CLIENT_RESYNC_VANISHED}
     * @param sentBytes bytes of the answer the client got
     * @param fullBytes estimated bytes of the full flag listing it would have needed without mod-sequences
     */
    public void clientResync(String kind, long sentBytes, long fullBytes) {
        if (!CLIENT_RESYNC_KINDS.contains(kind)) {
            throw new IllegalArgumentException("unknown client resync kind: " + kind);
        }
        clientResyncCounter(RESYNC_SENT_BYTES, kind).increment(Math.max(0, sentBytes));
        clientResyncCounter(RESYNC_FULL_BYTES, kind).increment(Math.max(0, fullBytes));
        clientResyncCounter(RESYNC_SAVED_BYTES, kind).increment(Math.max(0, fullBytes - sentBytes));
    }

    private Counter clientResyncCounter(String name, String kind) {
        return Counter.builder(name)
                .description("Clients' own resyncs (QRESYNC, CHANGEDSINCE): bytes sent, full-listing estimate, saved")
                .baseUnit("bytes")
                .tag(TAG_KIND, kind)
                .register(registry);
    }

    private Counter resyncCounter(String kind) {
        return Counter.builder(RESYNCS)
                .description("Mailbox resynchronisations against the backend")
                .tag(TAG_KIND, kind)
                .register(registry);
    }

    private DistributionSummary resyncSummary(String kind) {
        return DistributionSummary.builder(RESYNC_CHANGES)
                .description("Changes found by one mailbox resynchronisation")
                .tag(TAG_KIND, kind)
                .serviceLevelObjectives(RESYNC_BUCKETS)
                .register(registry);
    }

    // ---- output --------------------------------------------------------------------------------------

    /** All meters in the Prometheus text format ({@link #SCRAPE_CONTENT_TYPE}). CPU only, no I/O. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }

    private static String backendLabel(String backend) {
        return backend == null || backend.isBlank() ? "unknown" : backend;
    }

    private static Duration[] millis(long... values) {
        Duration[] d = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = Duration.ofMillis(values[i]);
        }
        return d;
    }

    private static Duration[] micros(long... values) {
        Duration[] d = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = Duration.ofNanos(values[i] * 1_000);
        }
        return d;
    }
}

package org.modseqproxy.metrics;

/**
 * Every meter the proxy publishes, in one place, so that code, tests, alerts and the Grafana dashboard
 * (deploy/grafana) agree on the spelling.
 *
 * <p>Constants hold the Micrometer name (dot-separated). Prometheus exposes it in snake case, with
 * {@code _total} appended to counters and the base unit ({@code _seconds}) to timers; the exposed name
 * is given in each comment. Every series also carries the common label {@value #TAG_INSTANCE}.
 *
 * <p>Label values are bounded on purpose (an unbounded label, e.g. a mailbox name or a user, would
 * make every scrape grow without limit): see {@link ProxyMetrics} for how each is normalised.
 */
public final class MeterNames {

    private MeterNames() {}

    // ---- names -------------------------------------------------------------------------------------

    /** Gauge {@code modseq_sessions_active}: client connections open right now. */
    public static final String SESSIONS_ACTIVE = "modseq.sessions.active";

    /** Counter {@code modseq_sessions_total}: client connections accepted since start. */
    public static final String SESSIONS = "modseq.sessions";

    /** Counter {@code modseq_logins_total{backend,result}}: LOGIN/AUTHENTICATE outcomes per backend. */
    public static final String LOGINS = "modseq.logins";

    /** Counter {@code modseq_login_refusals_total{reason}}: connections or logins the proxy refused or slowed. */
    public static final String LOGIN_REFUSALS = "modseq.login.refusals";

    /**
     * Timer {@code modseq_command_duration_seconds{command,status}} (histogram: {@code _bucket},
     * {@code _count}, {@code _sum}, plus {@code _max}): time from a client command's tagged line to its
     * tagged completion. {@code command} is one of {@link ProxyMetrics#KNOWN_COMMANDS} or
     * {@value #OTHER_COMMAND}; {@code status} is OK, NO, BAD or ERROR.
     */
    public static final String COMMAND_DURATION = "modseq.command.duration";

    /** Counter {@code modseq_backend_connect_failures_total{backend,reason}}. */
    public static final String BACKEND_CONNECT_FAILURES = "modseq.backend.connect.failures";

    /** Counter {@code modseq_bytes_total{direction}}: bytes relayed, by {@code direction}. */
    public static final String BYTES = "modseq.bytes";

    /** Timer {@code modseq_store_duration_seconds{op,result}}: one mod-sequence store operation. */
    public static final String STORE_DURATION = "modseq.store.duration";

    /**
     * Gauge {@code modseq_store_available}: 1 when the mod-sequence store answers (circuit closed), 0
     * when clients are being answered NOMODSEQ because of it. Absent until the proxy registers a source.
     */
    public static final String STORE_AVAILABLE = "modseq.store.available";

    /**
     * Counter {@code modseq_resyncs_total{kind}}: the proxy's own listings of a mailbox on the backend (RFC 5162
     * section 5), a cost the proxy pays so that clients need not; {@link #RESYNC_SAVED_BYTES} is what clients save.
     */
    public static final String RESYNCS = "modseq.resyncs";

    /**
     * Distribution summary {@code modseq_resync_changes{kind}} (histogram): changes (new UIDs, flag
     * changes, vanished UIDs) found by one resynchronisation.
     */
    public static final String RESYNC_CHANGES = "modseq.resync.changes";

    /**
     * Counter {@code modseq_resync_sent_bytes_total{kind}}: bytes of the answers to clients' own resyncs (a SELECT
     * with QRESYNC, a FETCH with CHANGEDSINCE, a UID FETCH with CHANGEDSINCE and VANISHED), by {@code kind}
     * {@value #CLIENT_RESYNC_QRESYNC_SELECT}, {@value #CLIENT_RESYNC_CHANGEDSINCE} or {@value #CLIENT_RESYNC_VANISHED}.
     */
    public static final String RESYNC_SENT_BYTES = "modseq.resync.sent.bytes";

    /**
     * Counter {@code modseq_resync_full_bytes_total{kind}}: for the same resyncs, what the full flag listing a client
     * without CONDSTORE/QRESYNC needs instead ({@code UID FETCH 1:* (FLAGS)}, RFC 5162 section 5) would have cost:
     * the mailbox's messages times the average size of such a line, measured on a sample of its messages.
     */
    public static final String RESYNC_FULL_BYTES = "modseq.resync.full.bytes";

    /**
     * Counter {@code modseq_resync_saved_bytes_total{kind}}: full minus sent, never below 0 per resync. Conservative:
     * the SELECT answer a QRESYNC client gets counts as sent although a plain client gets it too.
     */
    public static final String RESYNC_SAVED_BYTES = "modseq.resync.saved.bytes";

    /**
     * Counter {@code modseq_nomodseq_answers_total{reason}}: SELECT/EXAMINE answered NOMODSEQ (RFC 7162 3.1.2.2),
     * by {@code reason}: {@value #NOMODSEQ_STATE_OFF} (state off for the mailbox), {@value #NOMODSEQ_STORE_DOWN} (the
     * store did not answer) or {@value #NOMODSEQ_BACKEND} (the backend gave no UIDVALIDITY to key state on).
     */
    public static final String NOMODSEQ_ANSWERS = "modseq.nomodseq.answers";

    /**
     * Counter {@code modseq_enabled_sessions_total{extension}}: sessions that turned on {@code condstore} or
     * {@code qresync} (RFC 7162 3.1, 3.2.3; QRESYNC implies CONDSTORE and counts for both).
     */
    public static final String ENABLED_SESSIONS = "modseq.enabled.sessions";

    /**
     * Counter {@code modseq_tls_handshake_failures_total{listener,reason}}: client TLS handshakes that failed, on the
     * implicit-TLS port (RFC 8314) or after STARTTLS (RFC 9051 6.2.1); reasons are {@code TLS_*} below.
     */
    public static final String TLS_HANDSHAKE_FAILURES = "modseq.tls.handshake.failures";

    /**
     * Counter {@code modseq_proxy_protocol_refused_total{reason}}: connections closed before the greeting because
     * their PROXY protocol header (HAProxy's proxy-protocol.txt) was missing or malformed ({@code invalid}) or came from
     * a peer outside listen.proxyProtocolTrusted ({@code untrusted}). A header that never comes closes the connection
     * after listen.proxyProtocolTimeout without being counted (Vert.x closes it silently).
     */
    public static final String PROXY_PROTOCOL_REFUSED = "modseq.proxy.protocol.refused";

    /** Counter {@code modseq_tls_reloads_total{result}}: certificate reloads (SIGHUP or a changed file) by result. */
    public static final String TLS_RELOADS = "modseq.tls.reloads";

    /**
     * Gauge {@code modseq_tls_certificate_not_after_seconds}: when the first of the proxy's own certificates in use
     * expires (Unix time); alert on it minus time().
     */
    public static final String TLS_NOT_AFTER = "modseq.tls.certificate.not.after";

    /** Counter {@code modseq_compress_sessions_total}: sessions that turned on COMPRESS=DEFLATE (RFC 4978). */
    public static final String COMPRESS_SESSIONS = "modseq.compress.sessions";

    /**
     * Counter {@code modseq_compress_out_bytes_total{stage}}: what compressed sessions were sent, before
     * ({@code plain}) and after ({@code wire}) DEFLATE; plain minus wire is what COMPRESS saved the clients.
     */
    public static final String COMPRESS_OUT_BYTES = "modseq.compress.out.bytes";

    // ---- label keys ----------------------------------------------------------------------------------

    /** Common label on every series: the proxy instance id given to {@link ProxyMetrics}. */
    public static final String TAG_INSTANCE = "instance_id";

    public static final String TAG_BACKEND = "backend";
    public static final String TAG_RESULT = "result";
    public static final String TAG_COMMAND = "command";
    public static final String TAG_STATUS = "status";
    public static final String TAG_REASON = "reason";
    public static final String TAG_DIRECTION = "direction";
    public static final String TAG_OP = "op";
    public static final String TAG_KIND = "kind";
    public static final String TAG_EXTENSION = "extension";
    public static final String TAG_LISTENER = "listener";
    public static final String TAG_STAGE = "stage";

    // ---- label values --------------------------------------------------------------------------------

    public static final String RESULT_SUCCESS = "success";
    public static final String RESULT_FAILURE = "failure";

    /** Command label for any command outside {@link ProxyMetrics#KNOWN_COMMANDS}. */
    public static final String OTHER_COMMAND = "OTHER";

    public static final String STATUS_OK = "OK";
    public static final String STATUS_NO = "NO";
    public static final String STATUS_BAD = "BAD";
    /** The command did not end with a tagged response: backend gone, timeout, proxy error. */
    public static final String STATUS_ERROR = "ERROR";

    public static final String DIRECTION_CLIENT_IN = "client_in";
    public static final String DIRECTION_CLIENT_OUT = "client_out";
    public static final String DIRECTION_BACKEND_IN = "backend_in";
    public static final String DIRECTION_BACKEND_OUT = "backend_out";

    public static final String RESYNC_FULL = "full";
    public static final String RESYNC_INCREMENTAL = "incremental";
    public static final String RESYNC_NOMODSEQ = "nomodseq";

    public static final String NOMODSEQ_STATE_OFF = "state_off";
    public static final String NOMODSEQ_STORE_DOWN = "store_down";
    public static final String NOMODSEQ_BACKEND = "backend";

    public static final String EXTENSION_CONDSTORE = "condstore";
    public static final String EXTENSION_QRESYNC = "qresync";

    public static final String CLIENT_RESYNC_QRESYNC_SELECT = "qresync_select";
    public static final String CLIENT_RESYNC_CHANGEDSINCE = "changedsince_fetch";
    public static final String CLIENT_RESYNC_VANISHED = "vanished_fetch";

    public static final String LISTENER_STARTTLS = "starttls";
    public static final String LISTENER_IMPLICIT = "implicit";

    /** Client TLS handshake failure reasons. */
    public static final String TLS_NOT_TLS = "not_tls";

    public static final String TLS_CERTIFICATE = "certificate";
    public static final String TLS_PROTOCOL = "protocol";
    public static final String TLS_TIMEOUT = "timeout";
    public static final String TLS_CLOSED = "closed";
    public static final String TLS_OTHER = "other";

    public static final String STAGE_PLAIN = "plain";
    public static final String STAGE_WIRE = "wire";

    /** PROXY protocol refusal reasons. */
    public static final String PROXY_UNTRUSTED = "untrusted";

    public static final String PROXY_INVALID = "invalid";

    /** Backend connect failure reasons; anything else is counted as {@value #REASON_OTHER}. */
    public static final String REASON_TIMEOUT = "timeout";

    public static final String REASON_REFUSED = "refused";
    public static final String REASON_DNS = "dns";
    public static final String REASON_TLS = "tls";
    public static final String REASON_GREETING = "greeting";
    public static final String REASON_CLOSED = "closed";
    public static final String REASON_OTHER = "other";
}

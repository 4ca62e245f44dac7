package org.modseqproxy.proxy.session;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import org.modseqproxy.metrics.ProxyMetrics;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.ImapDecoder;
import org.modseqproxy.proxy.command.ClientId;
import org.modseqproxy.proxy.command.Command;
import org.modseqproxy.proxy.command.ImapException;
import org.modseqproxy.proxy.command.Session;
import org.modseqproxy.proxy.command.SessionState;
import org.modseqproxy.proxy.command.UpdateContexts;
import org.modseqproxy.proxy.log.SessionLog;
import org.modseqproxy.proxy.sync.BackendListener;
import org.modseqproxy.proxy.sync.BackendPort;
import org.modseqproxy.proxy.sync.MailboxSync;

/**
 * One client connection: the Vert.x shell around the command table. Reads one command at a time (the decoder is
 * paused while a command runs, so pipelined commands wait in the socket, never in memory), maps failures to tagged
 * answers in one place, streams large literals both ways with backpressure, and closes both sides cleanly.
 */
public final class FrontSession implements Session {
    private static final String GREETING_TEXT = "modseq-proxy ready";

    private final ProxyRuntime rt;
    private final Context context;
    private final NetSocket socket;
    private final SessionWatch watch;
    private final ClientOutput output;
    private MailboxSync sync;
    private final SessionTimers timers;
    private SessionState state = SessionState.NOT_AUTHENTICATED;
    private BackendConnection backend;
    private final ClientCapabilities caps;
    private final ClientId clientId;
    private boolean tlsActive;
    private boolean closed;
    private boolean closeAfterWrite;
    private final ClientInput input = new ClientInput(this);
    private final ClientWire wire;
    private final BackendRelay relay = new BackendRelay(this);
    private UpdateContexts updateContexts;
    private IdleCycle idleCycle;
    private final SessionLogins logins;

    public FrontSession(ProxyRuntime rt, NetSocket socket, boolean implicitTls) {
        this.rt = rt;
        this.context = rt.vertx().getOrCreateContext(); // the accepting event loop: this session's only thread
        this.socket = socket;
        this.tlsActive = implicitTls;
        this.clientId = new ClientId(rt.config().id().forwardClientAddress(), socket.remoteAddress());
        this.watch = new SessionWatch(rt.vertx(), rt.tracing(), String.valueOf(socket.remoteAddress()), implicitTls);
        this.output = new ClientOutput(socket, rt.metrics(), watch, context);
        this.wire = new ClientWire(
                socket,
                watch,
                rt.metrics(),
                rt.commandLimits(),
                input,
                rt.config().compress().level(),
                () -> closed,
                this::bye);
        this.sync = new MailboxSync(this, rt.statePolicy(), rt.metrics());
        this.logins = new SessionLogins(this, rt);
        this.caps = new ClientCapabilities(rt, implicitTls);
        this.timers = new SessionTimers(
                rt.vertx(), rt.config().limits().idleTimeout(), () -> bye("Autologout; idle for too long"));
    }

    /** Greets the client, or refuses it with BYE when the proxy is full or shutting down (RFC 9051 7.1.5). */
    public void start() {
        if (!rt.tryOpen(this)) {
            socket.write("* BYE " + (rt.draining() ? "Server shutting down" : "Too many connections") + "\r\n")
                    .onComplete(ar -> socket.close());
            return;
        }
        wire.start();
        socket.closeHandler(v -> onClientClosed());
        socket.exceptionHandler(err -> watch.log().debug("client socket error: {}", err.toString()));
        writeLine("* OK [CAPABILITY " + String.join(" ", capabilities()) + "] " + GREETING_TEXT);
        touch();
        // Issue 10: a connection that never logs in is closed after limits.loginTimeout, whatever it trickles.
        timers.loginDeadline(rt.config().limits().loginTimeout(), () -> {
            if (!closed && state == SessionState.NOT_AUTHENTICATED) {
                rt.metrics().loginRefused("login_timeout");
                bye("Login timeout");
            }
        });
    }

    @Override
    public boolean compressOffered() {
        return rt.config().compress().deflate();
    }

    @Override
    public boolean compressActive() {
        return wire.compressActive();
    }

    @Override
    public Future<Void> compress(Command command) {
        return wire.compress(() -> tagged(command.tag(), "OK DEFLATE active"), output);
    }

    @Override
    public SessionState state() {
        return state;
    }

    @Override
    public void state(SessionState state) {
        this.state = state;
    }

    @Override
    public long bytesToClient() {
        return output.written();
    }

    @Override
    public void clientResync(String kind, long sentBytes, long fullBytes) {
        rt.metrics().clientResync(kind, sentBytes, fullBytes);
    }

    @Override
    public void writeLine(String line) {
        write(Buffer.buffer(line + "\r\n", "UTF-8"));
    }

    @Override
    public void write(Buffer bytes) {
        if (!closed) {
            output.write(bytes, backend);
        }
    }

    @Override
    public void relayTagged(String clientTag, Frame backendTagged) {
        relay.tagged(clientTag, backendTagged);
    }

    /** The backend's answers to one command, toward the client (see BackendRelay). */
    BackendListener relayListener(Promise<Frame> done, String clientTag) {
        return relay.listener(done, clientTag);
    }

    void relayUntagged(Frame frame) {
        relay.untagged(frame);
    }

    /** The backend announced new capabilities after login: the client sees them edited from now on. */
    void backendCapabilities(List<String> backendCaps) {
        backend.capabilities(backendCaps);
        caps.backendAnnounced(backendCaps);
    }

    ClientCapabilities caps() {
        return caps;
    }

    @Override
    public String user() {
        return watch.view().user(); // one place holds who logged in: the view the admin endpoint lists
    }

    @Override
    public List<String> capabilities() {
        return state == SessionState.NOT_AUTHENTICATED
                ? caps.preLogin(tlsActive, logins.relayedMechanisms())
                : caps.postLogin();
    }

    @Override
    public BackendConnection backend() {
        return backend;
    }

    @Override
    public UpdateContexts updateContexts() {
        if (updateContexts == null) {
            updateContexts = new UpdateContexts(); // most sessions never ask for updates (RFC 5267)
        }
        return updateContexts;
    }

    /** The contexts if any were opened, else null (no allocation per relayed line). */
    UpdateContexts openContexts() {
        return updateContexts;
    }

    @Override
    public MailboxSync sync() {
        return sync;
    }

    @Override
    public Future<Frame> forward(Command command, Buffer rest) {
        Promise<Frame> done = Promise.promise();
        sync.commandSent();
        backend.send(rest, relayListener(done, command.tag()));
        return done.future();
    }

    @Override
    public Future<BackendPort.Result> internal(String command) {
        return backend.run(command);
    }

    /** The store routing chose: the session's mod-sequence state follows it (nothing is selected before login). */
    void routedTo(BackendRoute route) {
        if (route != rt.defaultRoute()) {
            sync = new MailboxSync(this, route.policy(), rt.metrics());
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** The backend connection is this session's now (or no longer, with null: a refused login). */
    void attach(BackendConnection conn) {
        this.backend = conn;
    }

    /** How this session logs in: routing, the backend login or SASL relay, failures, the session pools. */
    @Override
    public SessionLogins logins() {
        return logins;
    }

    /** RFC 9051 6.2.3: authenticated; the client sees the backend's capabilities, edited. */
    void authenticated(String user, BackendRoute route, List<String> backendCaps) {
        caps.backendAnnounced(backendCaps);
        state = SessionState.AUTHENTICATED;
        watch.loggedIn(user, route.name());
    }

    @Override
    public void mailboxSelected(String mailbox) {
        Session.super.mailboxSelected(mailbox);
        watch.selected(mailbox);
    }

    /** This session as the admin endpoint lists it; safe from any thread. */
    public SessionView view() {
        return watch.view();
    }

    /** Switches this session's protocol trace, on its own event loop; safe from any thread. */
    public void trace(boolean on) {
        context.runOnContext(v -> watch.trace(on, !busy()));
    }

    @Override
    public SessionLog log() {
        return watch.log();
    }

    void onBackendFailure(BackendException e) {
        if (backend != null) {
            bye(e.getMessage());
        }
    }

    @Override
    public ClientId clientId() {
        return clientId;
    }

    @Override
    public Future<Void> startTls(Command command) {
        if (tlsActive || rt.serverSsl() == null) {
            return Future.failedFuture(ImapException.bad("STARTTLS not available"));
        }
        output.flush(); // what was written before the OK goes in plaintext, before the switch
        return StartTlsUpgrade.run(this, socket, rt.serverSsl(), command.tag());
    }

    /** The TLS handshake after STARTTLS succeeded: a fresh decoder drops whatever was pipelined in plaintext. */
    void tlsStarted() {
        tlsActive = true;
        watch.tls();
        wire.restartDecoder();
    }

    @Override
    public Future<Void> idle(Command command) {
        Promise<Void> done = Promise.promise();
        idleCycle = new IdleCycle(this, command, done);
        idleCycle.start();
        return done.future().andThen(ar -> idleCycle = null);
    }

    @Override
    public void requestIdleBreak() {
        if (idleCycle != null) {
            idleCycle.requestBreak();
        }
    }

    @Override
    public Future<Buffer> challenge(String base64Challenge) {
        writeLine("+ " + base64Challenge);
        Future<Buffer> f = nextRawLine().andThen(ar -> pauseInput());
        resumeInput();
        return f;
    }

    /** The client's next line is not a command (IDLE's DONE, an AUTHENTICATE response): it completes this future. */
    Future<Buffer> nextRawLine() {
        return input.nextRawLine();
    }

    /** A streamed literal's command has been answered. */
    void streamEnded(LiteralStream stream) {
        input.streamEnded(stream);
    }

    ImapDecoder decoder() {
        return wire.decoder();
    }

    boolean closingAfterWrite() {
        return closeAfterWrite;
    }

    ProxyMetrics metrics() {
        return rt.metrics();
    }

    @Override
    public void closeAfterWrite() {
        closeAfterWrite = true;
    }

    void pauseInput() {
        wire.pause();
    }

    void resumeInput() {
        wire.resume();
    }

    /** A command was answered; before any byte of the next one is decoded (a trace may start here). */
    void commandEnded() {
        if (wire.pending() == 0 && !input.streaming()) {
            watch.betweenCommands();
        }
    }

    /** A complete line or literal data arrived: the idle autologout starts again (RFC 9051 5.4). */
    void touch() {
        timers.touch();
    }

    /** Sends BYE to an idle session during graceful shutdown. */
    public void shutdown(String text) {
        context.runOnContext(v -> bye(text)); // the session's own event loop, whichever thread asks
    }

    void bye(String text) {
        if (closed) {
            return;
        }
        writeLine("* BYE " + text);
        closeNow();
    }

    void closeNow() {
        output.flush(); // compressed responses (the BYE) must reach the client before the end
        if (release()) {
            socket.end().onComplete(ar -> socket.close());
        }
    }

    private void onClientClosed() {
        release(); // a vanished client: the backend is logged out too (issue 2, "A client that vanishes")
    }

    /** Ends the session once: timers, the backend (DONE/LOGOUT), the session count. False if already ended. */
    private boolean release() {
        if (closed) {
            return false;
        }
        closed = true;
        state = SessionState.LOGOUT;
        timers.cancel();
        watch.closed(wire.bytesIn(), output.written());
        wire.end();
        if (backend != null) {
            backend.close();
        }
        rt.closed(this, logins.promoted(), false);
        return true;
    }

    /** True while a command is running (used by graceful shutdown to let it finish). */
    public boolean busy() {
        // a command still arriving (its small literal is buffered in the decoder) counts as running
        return wire.busy() || input.streaming();
    }
}

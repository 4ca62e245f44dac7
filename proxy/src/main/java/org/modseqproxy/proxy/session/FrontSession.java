package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.modseqproxy.proxy.codec.DecodeError;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.ImapDecoder;
import org.modseqproxy.proxy.codec.Sink;
import org.modseqproxy.proxy.codec.ImapEncoder;
import org.modseqproxy.proxy.codec.Limits;
import org.modseqproxy.proxy.command.Command;
import org.modseqproxy.proxy.command.CommandRegistry;
import org.modseqproxy.proxy.command.ImapException;
import org.modseqproxy.proxy.command.Session;
import org.modseqproxy.proxy.command.SessionState;
import org.modseqproxy.proxy.sync.MailboxSync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the Vert.x shell around the command table. Reads one command at a time (the decoder is
 * paused while a command runs, so pipelined commands wait in the socket, never in memory), maps failures to tagged
 * answers in one place, streams large literals both ways with backpressure, and closes both sides cleanly.
 */
public final class FrontSession implements Sink, Session {
  private static final Logger LOG = LoggerFactory.getLogger(FrontSession.class);
  private static final String GREETING_TEXT = "modseq-proxy ready";

  private final ProxyRuntime rt;
  private final NetSocket socket;
  private ImapDecoder decoder;
  private final Limits limits;
  private final boolean implicitTls;
  private final MailboxSync sync;
  private SessionState state = SessionState.NOT_AUTHENTICATED;
  private BackendConnection backend;
  private List<String> postLoginCaps = List.of();
  private List<String> clientIdFields = List.of();
  private String user;
  private boolean tlsActive;
  private boolean closed;
  private boolean closeAfterWrite;
  private int inputPauses;
  private long idleTimer = -1;
  private Promise<Buffer> rawLine;
  private Streaming streaming;
  private boolean backendPausedForClient;
  private IdleCycle idleCycle;
  private long lastInput = System.nanoTime();

  public FrontSession(ProxyRuntime rt, NetSocket socket, boolean implicitTls) {
    this.rt = rt;
    this.socket = socket;
    this.implicitTls = implicitTls;
    this.tlsActive = implicitTls;
    Limits defaults = Limits.commandDefaults();
    this.limits = new Limits(
        rt.config().limits().maxLineLength(),
        rt.config().limits().maxLiteralSize(),
        defaults.inlineLiteralMax(),
        defaults.maxFrameBytes(),
        defaults.maxNestingDepth(),
        defaults.maxItems());
    this.decoder = new ImapDecoder(ImapDecoder.Side.COMMANDS, this.limits, this);
    this.sync = new MailboxSync(this, rt.statePolicy(), rt.metrics());
  }

  /** Greets the client, or refuses it with BYE when the proxy is full or shutting down (RFC 9051 7.1.5). */
  public void start() {
    if (!rt.tryOpen(this)) {
      socket.write("* BYE " + (rt.draining() ? "Server shutting down" : "Too many connections") + "\r\n")
          .onComplete(ar -> socket.close());
      return;
    }
    socket.handler(buf -> {
      rt.metrics().bytes("client_in", buf.length());
      decoder.feed(buf); // activity (touch) is a complete line or literal data, never a trickle of bytes
    });
    socket.closeHandler(v -> onClientClosed());
    socket.exceptionHandler(err -> LOG.debug("client socket error: {}", err.toString()));
    writeLine("* OK [CAPABILITY " + String.join(" ", capabilities()) + "] " + GREETING_TEXT);
    touch();
    // Issue 10: a connection that never logs in is closed after limits.loginTimeout, whatever it trickles.
    loginTimer = rt.vertx().setTimer(Math.max(1, rt.config().limits().loginTimeout().toMillis()), t -> {
      loginTimer = -1;
      if (!closed && state == SessionState.NOT_AUTHENTICATED) {
        rt.metrics().loginRefused("login_timeout");
        bye("Login timeout");
      }
    });
  }

  private long loginTimer = -1;
  /** Counted in the logged-in pool (limits.maxSessions) instead of the pre-login one. */
  private boolean promoted;
  private int loginFailures;

  /**
   * A failed LOGIN/AUTHENTICATE: its NO is answered after limits.loginFailureDelay, and after limits.maxLoginFailures
   * the connection is closed (as Dovecot's auth_failure_delay and imap-login do), so guessing costs time per try.
   */
  private Future<Void> loginFailed(ImapException no) {
    loginFailures++;
    rt.metrics().loginRefused(loginFailures >= rt.config().limits().maxLoginFailures() ? "too_many_failures" : "failed");
    Promise<Void> later = Promise.promise();
    rt.vertx().setTimer(Math.max(1, rt.config().limits().loginFailureDelay().toMillis()), t -> {
      if (loginFailures >= rt.config().limits().maxLoginFailures()) {
        closeAfterWrite();
      }
      later.fail(no);
    });
    return later.future();
  }

  // ---- Session (what command handlers use) --------------------------------------------------------------------

  @Override
  public SessionState state() {
    return state;
  }

  @Override
  public void state(SessionState state) {
    this.state = state;
  }

  @Override
  public void writeLine(String line) {
    write(Buffer.buffer(line + "\r\n", "UTF-8"));
  }

  @Override
  public void write(Buffer bytes) {
    if (closed) {
      return;
    }
    rt.metrics().bytes("client_out", bytes.length());
    socket.write(bytes);
    // Backpressure: a slow client stops the backend (DESIGN: a 50 MB FETCH costs a few buffers). One pause per
    // full queue, however many writes found it full, and one resume when it drains.
    if (!backendPausedForClient && socket.writeQueueFull() && backend != null && !backend.isClosed()) {
      BackendConnection b = backend;
      backendPausedForClient = true;
      b.pauseInput();
      socket.drainHandler(v -> {
        socket.drainHandler(null);
        backendPausedForClient = false;
        b.resumeInput();
      });
    }
  }

  @Override
  public void relayTagged(String clientTag, Frame backendTagged) {
    Frame f = backendTagged;
    if (f.code().map(c -> c.name().equals("CAPABILITY")).orElse(false)) {
      List<String> caps = BackendConnection.atoms(f.code().get().args());
      backend.capabilities(caps);
      postLoginCaps = Capabilities.postLogin(caps);
      writeLine(clientTag + " " + f.keyword() + " [CAPABILITY " + String.join(" ", postLoginCaps) + "] " + f.text());
      return;
    }
    Buffer raw = f.raw();
    int afterTag = f.tag().length();
    write(Buffer.buffer(clientTag.length() + raw.length()).appendString(clientTag).appendBuffer(raw, afterTag, raw.length() - afterTag));
  }

  @Override
  public String user() {
    return user;
  }

  @Override
  public List<String> capabilities() {
    if (state == SessionState.NOT_AUTHENTICATED) {
      return Capabilities.preLogin(tlsActive, rt.serverSsl() != null && !implicitTls, rt.config().tls().loginRequiresTls());
    }
    return postLoginCaps;
  }

  @Override
  public BackendConnection backend() {
    return backend;
  }

  @Override
  public MailboxSync sync() {
    return sync;
  }

  @Override
  public Future<Frame> forward(Command command) {
    Buffer raw = command.frame().raw();
    int afterTag = command.tag().length() + 1;
    return forward(command, raw.getBuffer(afterTag, raw.length()));
  }

  @Override
  public Future<Frame> forward(Command command, Buffer rest) {
    Promise<Frame> done = Promise.promise();
    backend.send(rest, relayListener(done, command.tag()));
    return done.future();
  }

  /** Relays untagged responses through the sync funnel and continuation requests as they are. */
  private BackendListener relayListener(Promise<Frame> done, String clientTag) {
    return new BackendListener() {
      @Override
      public void untagged(Frame frame) {
        relayUntagged(TagEcho.toClient(frame, backend.pendingTag(), clientTag));
      }

      @Override
      public void continuation(Frame frame) {
        write(frame.raw());
      }

      @Override
      public void tagged(Frame frame) {
        done.tryComplete(frame);
      }

      @Override
      public void largeStart(Frame head, long size) {
        sync.streamStart(head, size);
      }

      @Override
      public void chunk(Buffer data) {
        write(data);
      }

      @Override
      public void continued(Frame frame) {
        sync.streamContinued(frame);
      }
    };
  }

  private void relayUntagged(Frame frame) {
    String kw = frame.keyword();
    if ("CAPABILITY".equals(kw)) {
      List<String> caps = BackendConnection.atoms(frame.tokens().subList(1, frame.tokens().size()));
      backend.capabilities(caps);
      postLoginCaps = Capabilities.postLogin(caps);
      writeLine("* CAPABILITY " + String.join(" ", postLoginCaps));
      return;
    }
    if (frame.code().map(c -> c.name().equals("CAPABILITY")).orElse(false)) {
      List<String> caps = Capabilities.postLogin(BackendConnection.atoms(frame.code().get().args()));
      writeLine("* " + kw + " [CAPABILITY " + String.join(" ", caps) + "] " + frame.text());
      return;
    }
    sync.untagged(frame);
  }

  @Override
  public Future<BackendConnection.Result> internal(String command) {
    return backend.run(command);
  }

  @Override
  public Future<Void> login(Command command, String user, String password) {
    return BackendConnection.connect(rt.vertx(), rt.backendClient(), rt.config().backend(), rt.backendSsl(), this::onBackendFailure)
        .compose(conn -> {
          if (closed) {
            return clientLeftDuringLogin(conn);
          }
          this.backend = conn;
          rt.backendHealth().connected();
          conn.meterBytes(n -> rt.metrics().bytes("backend_in", n), n -> rt.metrics().bytes("backend_out", n));
          // EXPUNGEs of one command become one VANISHED at its end; pushed ones (IDLE, between commands) go at once.
          conn.afterRead(() -> {
            if (!conn.outstanding() || conn.idling()) {
              sync.flushVanished();
            }
          });
          conn.unsolicited(new BackendListener() {
            @Override
            public void untagged(Frame frame) {
              relayUntagged(frame);
            }

            @Override
            public void tagged(Frame frame) {}
          });
          return sendIdBeforeLogin(conn).compose(v -> backendLogin(conn, user, password));
        })
        .compose(tagged -> {
          boolean ok = "OK".equals(tagged.keyword());
          rt.metrics().loginResult(rt.config().backend().id(), ok);
          if (!ok) {
            BackendConnection failed = backend;
            backend = null;
            failed.close();
            // Relay the backend's verdict and text (RFC 9051 6.2.3); never the credentials.
            return loginFailed(ImapException.no(tagged.code().map(c -> c.name()).orElse("AUTHENTICATIONFAILED"), tagged.text()));
          }
          tagged.code()
              .filter(c -> c.name().equals("CAPABILITY"))
              .ifPresent(c -> backend.capabilities(BackendConnection.atoms(c.args())));
          Future<List<String>> caps = tagged.code().map(c -> c.name().equals("CAPABILITY")).orElse(false)
              ? Future.succeededFuture(backend.capabilities())
              : backend.refreshCapabilities();
          if (closed) {
            return clientLeftDuringLogin(backend);
          }
          if (!rt.promote(this)) {
            backend.close();
            backend = null;
            closeAfterWrite();
            return Future.failedFuture(ImapException.no("LIMIT", "Too many sessions, try again later")); // RFC 5530
          }
          promoted = true;
          return caps.compose(c -> {
            postLoginCaps = Capabilities.postLogin(c);
            state = SessionState.AUTHENTICATED;
            this.user = user;
            return replayClientId();
          }).map(v -> {
            writeLine(command.tag() + " OK [CAPABILITY " + String.join(" ", postLoginCaps) + "] Logged in");
            return (Void) null;
          });
        }, err -> {
          if (err instanceof BackendException be) {
            rt.metrics().backendConnectFailed(rt.config().backend().id(), be.getMessage());
            if (!closed) {
              rt.backendHealth().failed(rt.vertx(), rt.backendClient(), be.getMessage());
            }
            // RFC 5530: the login failed for a reason that is not the client's credentials. The reason (an internal
            // address, a resolver error) is the operator's business: it is logged, the client hears a generic text.
            return Future.failedFuture(ImapException.no("UNAVAILABLE", "Backend unavailable, try again later"));
          }
          return Future.failedFuture(err);
        });
  }

  /**
   * The client left while its login was in flight (connecting or LOGIN outstanding): release() may have run before
   * the backend connection existed, so it is closed here; it must not outlive the client (issue 10: vanished clients
   * left logged-in backend sessions behind forever).
   */
  private <T> Future<T> clientLeftDuringLogin(BackendConnection conn) {
    conn.close();
    return Future.failedFuture(new BackendException("client closed the connection during login"));
  }

  private Future<Frame> backendLogin(BackendConnection conn, String user, String password) {
    Promise<Frame> done = Promise.promise();
    String args = ImapEncoder.astring(user) + " " + ImapEncoder.astring(password);
    conn.send(Buffer.buffer("LOGIN " + args + "\r\n", "UTF-8"), new BackendListener() {
      @Override
      public void untagged(Frame frame) {
        // Untagged CAPABILITY during login: remember it; nothing else matters before authentication.
        if ("CAPABILITY".equals(frame.keyword())) {
          conn.capabilities(BackendConnection.atoms(frame.tokens().subList(1, frame.tokens().size())));
        }
      }

      @Override
      public void tagged(Frame frame) {
        done.tryComplete(frame);
      }
    });
    return done.future();
  }

  /** With forwarding on, the backend learns the client's address before LOGIN, as Dovecot's proxy does (RFC 2971). */
  private Future<Void> sendIdBeforeLogin(BackendConnection conn) {
    if (!rt.config().id().forwardClientAddress() || !conn.has("ID")) {
      return Future.succeededFuture();
    }
    return conn.run("ID " + idList(List.of())).mapEmpty();
  }

  /** Replays an ID the client sent before login, now that the backend can take it. */
  private Future<Void> replayClientId() {
    if (clientIdFields.isEmpty() || !backend.has("ID")) {
      return Future.succeededFuture();
    }
    return backend.run("ID " + idList(clientIdFields)).mapEmpty();
  }

  @Override
  public String idList(List<String> fields) {
    List<String> all = new ArrayList<>(fields);
    if (rt.config().id().forwardClientAddress()) {
      all.addAll(List.of("x-originating-ip", clientIp(), "x-originating-port", String.valueOf(clientPort())));
    }
    if (all.isEmpty()) {
      return "NIL";
    }
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < all.size(); i++) {
      sb.append(i == 0 ? "" : " ").append(all.get(i) == null ? "NIL" : ImapEncoder.quoted(all.get(i)));
    }
    return sb.append(')').toString();
  }

  @Override
  public void rememberClientId(List<String> fields) {
    this.clientIdFields = List.copyOf(fields);
  }

  @Override
  public boolean forwardClientAddress() {
    return rt.config().id().forwardClientAddress();
  }

  @Override
  public String clientIp() {
    return socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().hostAddress();
  }

  @Override
  public int clientPort() {
    return socket.remoteAddress() == null ? 0 : socket.remoteAddress().port();
  }

  @Override
  public Future<Void> startTls(Command command) {
    if (tlsActive || rt.serverSsl() == null) {
      return Future.failedFuture(ImapException.bad("STARTTLS not available"));
    }
    // RFC 9051 6.2.1 / RFC 2595: nothing the client pipelined after STARTTLS may be read as plaintext commands.
    decoder.pause();
    socket.pause();
    Promise<Void> done = Promise.promise();
    // The OK and the switch to TLS happen together on the event loop: a client that starts its handshake the moment
    // it reads the OK must find the TLS handler already in place (else its ClientHello is read as plaintext).
    socket.upgradeToSsl(rt.serverSsl(), Buffer.buffer(command.tag() + " OK Begin TLS negotiation now\r\n"))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            tlsActive = true;
            // A fresh decoder drops whatever was pipelined in plaintext (the STARTTLS injection attack).
            decoder = new ImapDecoder(ImapDecoder.Side.COMMANDS, limits, this);
            socket.resume();
            done.complete();
          } else {
            LOG.info("STARTTLS handshake failed: {}", ar.cause().toString());
            closeNow();
          }
        });
    // the tagged OK was written before the handshake; the session goes on in TLS with the new decoder
    return done.future();
  }

  @Override
  public Future<Void> idle(Command command) {
    Promise<Void> done = Promise.promise();
    idleCycle = new IdleCycle(command, done);
    idleCycle.start();
    return done.future().andThen(ar -> idleCycle = null);
  }

  @Override
  public void requestIdleBreak() {
    if (idleCycle != null) {
      idleCycle.requestBreak();
    }
  }

  /**
   * RFC 2177 IDLE, relayed. When the funnel must learn the UIDs of new messages before announcing them (QRESYNC:
   * VANISHED must name UIDs, RFC 7162 3.2.10), the proxy ends the backend's IDLE, asks, and idles again, all
   * without the client noticing: the client's own DONE may arrive at any point of that cycle.
   */
  private final class IdleCycle implements BackendListener {
    private final Command command;
    private final Promise<Void> done;
    private Phase phase = Phase.STARTING;
    private boolean clientDone;
    private boolean breakAgain;
    private String pendingBad;

    private enum Phase { STARTING, IDLING, BREAKING, RESOLVING, REARMING, ENDING }

    IdleCycle(Command command, Promise<Void> done) {
      this.command = command;
      this.done = done;
    }

    void start() {
      backend.idling(true);
      backend.send(Buffer.buffer("IDLE\r\n"), this);
    }

    @Override
    public void untagged(Frame frame) {
      relayUntagged(frame);
    }

    @Override
    public void continuation(Frame frame) {
      if (phase == Phase.STARTING) {
        phase = Phase.IDLING;
        write(frame.raw());
        // RFC 2177: the client's next line is DONE, not a command.
        decoder.expectRawLine();
        rawLine = Promise.promise();
        // a line too long to be DONE fails the promise (see error()): it ends IDLE with BAD like any other non-DONE line
        rawLine.future().onComplete(ar -> clientLine(ar.succeeded() ? ar.result() : Buffer.buffer()));
        resumeInput();
        if (breakAgain) { // new mail arrived before the backend said "+"
          breakAgain = false;
          requestBreak();
        }
      } else if (phase == Phase.REARMING) {
        phase = Phase.IDLING; // the backend idles again; this "+" is the proxy's, not the client's
        backend.idling(true);
        if (clientDone) {
          end();
        } else if (breakAgain) {
          breakAgain = false;
          requestBreak();
        }
      }
    }

    private void clientLine(Buffer line) {
      pauseInput();
      clientDone = true;
      if (!line.toString(StandardCharsets.US_ASCII).trim().equalsIgnoreCase("DONE")) {
        pendingBad = command.tag() + " BAD Expected DONE"; // RFC 2177 3: anything else ends IDLE with BAD
      }
      if (phase == Phase.IDLING) {
        end();
      }
      // otherwise the cycle in progress ends the command when it reaches a safe point
    }

    private void end() {
      phase = Phase.ENDING;
      backend.write(Buffer.buffer("DONE\r\n"));
    }

    void requestBreak() {
      if (phase == Phase.IDLING && !clientDone) {
        phase = Phase.BREAKING;
        backend.write(Buffer.buffer("DONE\r\n"));
      } else if (phase != Phase.ENDING) {
        breakAgain = true;
      }
    }

    @Override
    public void tagged(Frame frame) {
      if (phase == Phase.BREAKING) {
        phase = Phase.RESOLVING;
        sync.announceNew().onComplete(ar -> {
          if (clientDone) {
            finish(null);
          } else {
            phase = Phase.REARMING;
            backend.send(Buffer.buffer("IDLE\r\n"), this);
          }
        });
        return;
      }
      finish(frame); // the client's DONE was relayed (ENDING), or the backend refused IDLE (STARTING)
    }

    private void finish(Frame backendTagged) {
      backend.idling(false);
      if (pendingBad != null) {
        writeLine(pendingBad);
      } else if (backendTagged != null) {
        relayTagged(command.tag(), backendTagged);
      } else {
        writeLine(command.tag() + " OK IDLE terminated");
      }
      done.tryComplete();
    }
  }

  @Override
  public Future<Buffer> challenge(String base64Challenge) {
    writeLine("+ " + base64Challenge);
    decoder.expectRawLine();
    rawLine = Promise.promise();
    Future<Buffer> f = rawLine.future().andThen(ar -> pauseInput());
    resumeInput();
    return f;
  }

  @Override
  public void closeAfterWrite() {
    closeAfterWrite = true;
  }

  // ---- ImapDecoder.Sink: what the client sends -----------------------------------------------------------------

  @Override
  public void frame(Frame frame) {
    touch();
    if (streaming != null) {
      streaming.continued(frame);
      return;
    }
    if (frame.kind() != Frame.Kind.COMPLETE) {
      return;
    }
    pauseInput();
    execute(frame);
  }

  private void execute(Frame frame) {
    String name = frame.keyword();
    String tag = frame.tag();
    if (name == null) {
      writeLine(tag + " BAD Missing command");
      resumeInput();
      return;
    }
    Command cmd = new Command(tag, name, frame);
    long start = System.nanoTime();
    Future<Void> result;
    try {
      result = state == SessionState.SELECTED && !"IDLE".equals(name) && !"LOGOUT".equals(name)
          ? sync.announceNew().compose(v -> CommandRegistry.dispatch(cmd, this))
          : CommandRegistry.dispatch(cmd, this);
    } catch (ImapException e) {
      result = Future.failedFuture(e);
    } catch (RuntimeException e) {
      LOG.error("command {} failed", name, e);
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      String status = "OK";
      if (ar.failed()) {
        Throwable err = ar.cause();
        if (err instanceof ImapException ie) {
          status = ie.status();
          writeLine(tag + " " + ie.line());
        } else if (err instanceof BackendException be) {
          status = "ERROR";
          bye(be.getMessage());
          return;
        } else {
          status = "ERROR";
          LOG.error("command {} failed", name, err);
          writeLine(tag + " NO [SERVERBUG] Internal error");
        }
      }
      rt.metrics().commandCompleted(name, status, System.nanoTime() - start);
      if (closeAfterWrite) {
        closeNow();
      } else {
        resumeInput();
      }
    });
  }

  @Override
  public void continuationRequest(String tag, long size) {
    // The proxy takes small synchronizing literals itself; they are re-announced to the backend as it accepts them.
    writeLine("+ Ready for literal data");
  }

  @Override
  public void largeLiteralStart(Frame head, long size, boolean nonSync) {
    if (streaming != null) {
      streaming.nextLiteral(head, size, nonSync);
      return;
    }
    String tag = head.tag();
    if (state == SessionState.NOT_AUTHENTICATED || backend == null) {
      decoder.rejectLiteral();
      writeLine(tag + " BAD [TOOBIG] Literal too large before authentication");
      return;
    }
    streaming = new Streaming(tag, head.keyword());
    streaming.start(head, size, nonSync);
  }

  @Override
  public void literalChunk(Buffer chunk) {
    touch();
    if (streaming != null) {
      streaming.chunk(chunk);
    }
  }

  @Override
  public void largeLiteralEnd() {}

  @Override
  public void rawLine(Buffer line) {
    touch();
    Promise<Buffer> p = rawLine;
    rawLine = null;
    if (p != null) {
      p.complete(line);
    } else {
      writeLine("* BAD Unexpected line");
    }
  }

  @Override
  public void error(DecodeError error) {
    if (error.fatal()) {
      bye(error.message());
      return;
    }
    Promise<Buffer> waiting = rawLine;
    if (waiting != null) {
      // A bad AUTHENTICATE continuation (too long): the command ends with a tagged BAD (RFC 9051 6.2.2), which the
      // failed future becomes; no untagged BAD without a tagged answer.
      rawLine = null;
      waiting.fail(ImapException.bad(error.message())); // its consumer pauses input, as for a line that arrived
      return;
    }
    writeLine((error.tag() == null ? "*" : error.tag()) + " BAD " + error.message());
  }

  /**
   * A command whose literal is too big to hold (APPEND of a large message): streamed to the backend as it arrives.
   * The proxy says "+" to the client itself; if the backend refuses the command early, the rest of the client's
   * literal is read and dropped, and the backend's answer relayed.
   */
  private final class Streaming {
    private final String tag;
    private final String name;
    private final long start = System.nanoTime();
    private boolean discard;
    private boolean lineSent;
    private Frame tagged;

    Streaming(String tag, String name) {
      this.tag = tag;
      this.name = name;
    }

    void start(Frame head, long size, boolean nonSync) {
      Buffer raw = head.raw();
      int afterTag = tag.length() + 1;
      Promise<Frame> done = Promise.promise();
      Future<Void> ready = backend.sendHead(raw.getBuffer(afterTag, raw.length()), relayListener(done, tag));
      done.future().onSuccess(this::onTagged);
      afterHead(ready, nonSync);
    }

    void nextLiteral(Frame head, long size, boolean nonSync) {
      if (discard) {
        acknowledge(nonSync);
        return;
      }
      afterHead(backend.writePart(head.raw(), true), nonSync);
    }

    private void afterHead(Future<Void> ready, boolean nonSync) {
      acknowledge(nonSync);
      if (!ready.isComplete()) {
        pauseInput();
        ready.onComplete(ar -> {
          if (ar.failed()) {
            discard = true;
          }
          resumeInput();
        });
      } else if (ready.failed()) {
        discard = true;
      }
    }

    private void acknowledge(boolean nonSync) {
      if (!nonSync) {
        writeLine("+ Ready for literal data");
      }
    }

    void chunk(Buffer data) {
      if (discard) {
        return;
      }
      backend.write(data);
      if (backend.writeQueueFull()) {
        pauseInput();
        backend.drainHandler(v -> {
          backend.drainHandler(null);
          resumeInput();
        });
      }
    }

    void continued(Frame frame) {
      if (frame.kind() == Frame.Kind.CONTINUED_HEAD) {
        return; // delivered again through largeLiteralStart -> nextLiteral
      }
      if (!discard) {
        backend.writePart(frame.raw(), false);
      }
      lineSent = true;
      pauseInput();
      maybeFinish();
    }

    void onTagged(Frame frame) {
      this.tagged = frame;
      if (!lineSent) {
        discard = true;
      }
      maybeFinish();
    }

    private void maybeFinish() {
      if (!lineSent || tagged == null) {
        return;
      }
      streaming = null;
      relayTagged(tag, tagged);
      rt.metrics().commandCompleted(name == null ? "OTHER" : name, tagged.keyword(), System.nanoTime() - start);
      resumeInput();
    }
  }

  // ---- input flow control and lifecycle ------------------------------------------------------------------------

  private void pauseInput() {
    if (inputPauses++ == 0) {
      decoder.pause();
      socket.pause();
    }
  }

  private void resumeInput() {
    if (inputPauses > 0 && --inputPauses == 0 && !closed) {
      socket.resume();
      decoder.resume();
    }
  }

  /**
   * RFC 9051 5.4: an idle client is logged out after the configured time (at least 30 minutes by default). One
   * timer per session, re-armed from the last input time, instead of a new timer for every read.
   */
  private void touch() {
    lastInput = System.nanoTime();
    if (idleTimer < 0) {
      armIdleTimer(rt.config().limits().idleTimeout().toMillis());
    }
  }

  private void armIdleTimer(long delayMillis) {
    idleTimer = rt.vertx().setTimer(Math.max(1, delayMillis), t -> {
      idleTimer = -1;
      if (closed) {
        return;
      }
      long timeout = rt.config().limits().idleTimeout().toMillis();
      long idle = (System.nanoTime() - lastInput) / 1_000_000;
      if (idle >= timeout) {
        bye("Autologout; idle for too long");
      } else {
        armIdleTimer(timeout - idle);
      }
    });
  }

  /** Sends BYE to an idle session during graceful shutdown. */
  public void shutdown(String text) {
    rt.vertx().runOnContext(v -> bye(text));
  }

  private void bye(String text) {
    if (closed) {
      return;
    }
    writeLine("* BYE " + text);
    closeNow();
  }

  private void onBackendFailure(BackendException e) {
    if (backend != null) {
      bye(e.getMessage());
    }
  }

  private void closeNow() {
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
    if (idleTimer >= 0) {
      rt.vertx().cancelTimer(idleTimer);
    }
    if (loginTimer >= 0) {
      rt.vertx().cancelTimer(loginTimer);
    }
    if (backend != null) {
      backend.close();
    }
    rt.closed(this, promoted, false);
    return true;
  }

  /** True while a command is running (used by graceful shutdown to let it finish). */
  public boolean busy() {
    // a command still arriving (its small literal is buffered in the decoder) counts as running
    return inputPauses > 0 || streaming != null || decoder.bytesBuffered() > 0;
  }
}

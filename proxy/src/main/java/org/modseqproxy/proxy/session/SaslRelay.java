package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.command.Capabilities;
import org.modseqproxy.proxy.command.Command;
import org.modseqproxy.proxy.command.ImapException;
import org.modseqproxy.proxy.command.SaslIdentity;
import org.modseqproxy.proxy.sync.BackendListener;

/**
 * AUTHENTICATE relayed to the backend for the mechanisms the proxy need not take part in (LOGIN, XOAUTH2,
 * OAUTHBEARER): the command goes on with its initial response (RFC 4959; held back until the first "+" when the
 * backend lacks SASL-IR), every challenge goes to the client and every response back, verbatim (RFC 9051 6.2.2), and
 * the backend's verdict decides. The proxy reads only the user's name from the first response (its state is per
 * user, see {@link SaslIdentity}); nothing of the exchange is logged.
 */
final class SaslRelay {
    private final FrontSession session;
    private final BackendLogin login;
    private boolean cancelled;

    SaslRelay(FrontSession session, BackendLogin login) {
        this.session = session;
        this.login = login;
    }

    /** {@code initialResponse}: the client's first response, inline (SASL-IR) or asked for by the session. */
    Future<Void> run(Command command, String mechanism, String initialResponse) {
        String user = SaslIdentity.user(mechanism, initialResponse).orElse(null);
        if (user == null) {
            return Future.failedFuture(cannotTell()); // decided before any backend connection
        }
        return login.open()
                .compose(conn -> exchange(conn, mechanism, initialResponse)
                        .compose(tagged -> finish(conn, command, user, tagged)));
    }

    private Future<Frame> exchange(BackendConnection conn, String mechanism, String initialResponse) {
        Promise<Frame> done = Promise.promise();
        boolean inline = conn.has("SASL-IR");
        String[] heldBack = {inline ? null : initialResponse};
        String head = "AUTHENTICATE " + mechanism + (inline ? " " + initialResponse : "") + "\r\n";
        conn.send(Buffer.buffer(head, "US-ASCII"), new BackendListener() {
            @Override
            public void untagged(Frame frame) {
                Capabilities.in(frame).ifPresent(conn::capabilities);
            }

            @Override
            public void continuation(Frame frame) {
                if (heldBack[0] != null) {
                    // the store's first challenge was answered by the client already
                    String ir = heldBack[0].equals("=") ? "" : heldBack[0]; // RFC 4959 3: "=" is empty
                    heldBack[0] = null;
                    answer(conn, ir);
                    return;
                }
                session.challenge(frame.text() == null ? "" : frame.text())
                        .onSuccess(line -> {
                            String r = line.toString(StandardCharsets.US_ASCII).trim();
                            cancelled |= r.equals("*");
                            answer(conn, r);
                        })
                        .onFailure(done::tryFail);
            }

            @Override
            public void tagged(Frame frame) {
                done.tryComplete(frame);
            }
        });
        return done.future();
    }

    private static ImapException cannotTell() {
        return ImapException.no(
                "CANNOT", "The proxy needs the user's name in the first response (OAUTHBEARER: a=user)");
    }

    private static void answer(BackendConnection conn, String line) {
        conn.write(Buffer.buffer(line + "\r\n", "US-ASCII"));
    }

    private Future<Void> finish(BackendConnection conn, Command command, String user, Frame tagged) {
        if (cancelled && !"OK".equals(tagged.keyword())) {
            session.attach(null);
            conn.close();
            return Future.failedFuture(ImapException.bad("Authentication cancelled"));
        }
        return login.verdict(conn, command, user, tagged);
    }
}

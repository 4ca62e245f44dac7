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
    private String user;
    private boolean firstResponse = true;
    private boolean cancelled;
    private boolean nobody;

    SaslRelay(FrontSession session, BackendLogin login) {
        this.session = session;
        this.login = login;
    }

    Future<Void> run(Command command, String mechanism, String initialResponse) {
        if (initialResponse != null
                && SaslIdentity.user(mechanism, initialResponse).isEmpty()) {
            return Future.failedFuture(cannotTell()); // decided before any backend connection
        }
        return login.open()
                .compose(conn ->
                        exchange(conn, mechanism, initialResponse).compose(tagged -> finish(conn, command, tagged)));
    }

    private Future<Frame> exchange(BackendConnection conn, String mechanism, String initialResponse) {
        Promise<Frame> done = Promise.promise();
        boolean sendInitial = initialResponse != null && conn.has("SASL-IR");
        String[] heldBack = {initialResponse != null && !sendInitial ? initialResponse : null};
        if (initialResponse != null) {
            identify(mechanism, initialResponse);
        }
        String head = "AUTHENTICATE " + mechanism + (sendInitial ? " " + initialResponse : "") + "\r\n";
        conn.send(Buffer.buffer(head, "US-ASCII"), new BackendListener() {
            @Override
            public void untagged(Frame frame) {
                Capabilities.in(frame).ifPresent(conn::capabilities);
            }

            @Override
            public void continuation(Frame frame) {
                if (heldBack[0] != null) {
                    String ir = heldBack[0].equals("=") ? "" : heldBack[0]; // RFC 4959 3: "=" is empty
                    heldBack[0] = null;
                    answer(conn, ir);
                    return;
                }
                if (nobody) {
                    answer(conn, "*"); // the proxy cannot tell whose state to use: abort (RFC 9051 6.2.2)
                    return;
                }
                session.challenge(frame.text() == null ? "" : frame.text())
                        .onSuccess(line -> {
                            String r = line.toString(StandardCharsets.US_ASCII).trim();
                            if (r.equals("*")) {
                                cancelled = true;
                            } else if (firstResponse) {
                                identify(mechanism, r);
                            }
                            answer(conn, nobody ? "*" : r);
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

    private void identify(String mechanism, String response) {
        firstResponse = false;
        user = SaslIdentity.user(mechanism, response).orElse(null);
        nobody = user == null;
    }

    private static ImapException cannotTell() {
        return ImapException.no(
                "CANNOT", "The proxy needs the user's name in the first response (OAUTHBEARER: a=user)");
    }

    private static void answer(BackendConnection conn, String line) {
        conn.write(Buffer.buffer(line + "\r\n", "US-ASCII"));
    }

    private Future<Void> finish(BackendConnection conn, Command command, Frame tagged) {
        boolean ok = "OK".equals(tagged.keyword());
        if (cancelled || (nobody && !ok) || (ok && user == null)) {
            session.attach(null);
            conn.close(); // a backend session nobody can use (logged in for an unknown user) must not stay
            if (cancelled) {
                return Future.failedFuture(ImapException.bad("Authentication cancelled"));
            }
            return Future.failedFuture(cannotTell());
        }
        return login.verdict(conn, command, user, tagged);
    }
}

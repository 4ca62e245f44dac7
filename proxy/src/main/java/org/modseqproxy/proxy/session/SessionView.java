package org.modseqproxy.proxy.session;

import java.time.Instant;

/**
 * What an operator sees of one session (the admin endpoint's session list): an immutable value the session replaces
 * as it moves on (login, SELECT, STARTTLS, trace), so another thread reads a consistent picture without locks.
 *
 * @param mailbox the selected mailbox, null when none (RFC 9051 3: authenticated state)
 */
public record SessionView(
        String id,
        String client,
        String user,
        String backend,
        String mailbox,
        Instant since,
        boolean tls,
        boolean traced) {

    static SessionView opened(String id, String client, boolean tls) {
        return new SessionView(id, client, null, null, null, Instant.now(), tls, false);
    }

    SessionView withUser(String u, String b) {
        return new SessionView(id, client, u, b, mailbox, since, tls, traced);
    }

    SessionView withMailbox(String m) {
        return new SessionView(id, client, user, backend, m, since, tls, traced);
    }

    SessionView withTls() {
        return new SessionView(id, client, user, backend, mailbox, since, true, traced);
    }

    SessionView withTraced(boolean t) {
        return new SessionView(id, client, user, backend, mailbox, since, tls, t);
    }
}

package org.modseqproxy.load.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;
import static org.modseqproxy.load.imap.Imap.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import java.time.Duration;

/**
 * A login storm, as after a store or network outage when every client reconnects at once: each virtual user connects,
 * LOGINs (the proxy logs into the store with the same credentials, RFC 9051 6.2.3), LOGOUTs and starts again, for
 * {@code load.seconds}. Measures what a login costs through the proxy (TCP, greeting, LOGIN relayed, the store's
 * answer, BYE). Closed model by default: {@code load.users} (default 10) connecting without pause.
 */
public class LoginStormSimulation extends ImapSimulation {

    private final LoadSettings settings = LoadSettings.fromSystemProperties(10, 30, "closed");

    private final ScenarioBuilder storm = scenario("LOGIN/LOGOUT storm")
            .feed(settings.credentials())
            .during(Duration.ofSeconds(settings.seconds()))
            .on(exec(imap("LOGIN").login()).exec(imap("LOGOUT").logout()));

    {
        setUp(settings.inject(storm))
                .protocols(settings.protocol())
                .maxDuration(settings.maxDuration())
                .assertions(settings.koAssertion());
    }
}

package org.modseqproxy.load.imap;

import io.gatling.core.action.Action;
import io.gatling.core.structure.ScenarioContext;
import io.gatling.javaapi.core.ActionBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * An IMAP request ready to be put in a scenario with {@code exec(...)}, plus its checks.
 *
 * <p>Gatling's Java DSL has no public API for custom protocols, but its {@link ActionBuilder} interface only
 * asks for {@link #asScala()}: the Scala-side builder, which we implement here in Java (a Scala trait with
 * one abstract method, {@code build(ScenarioContext, Action)}). Gatling's own JMS Java module exposes its
 * Scala actions the same way; here the Scala side is written in Java too, so the module needs no Scala.
 */
public final class ImapActionBuilder implements ActionBuilder {

    private final String requestName;
    private final ImapAction.Kind kind;
    private final CommandTemplate template; // null for LOGIN with the protocol's credentials
    private final String user;
    private final String password;
    private final Duration idleFor;
    private final List<ImapCheck> checks;

    ImapActionBuilder(
            String requestName,
            ImapAction.Kind kind,
            CommandTemplate template,
            String user,
            String password,
            Duration idleFor,
            List<ImapCheck> checks) {
        this.requestName = requestName;
        this.kind = kind;
        this.template = template;
        this.user = user;
        this.password = password;
        this.idleFor = idleFor;
        this.checks = List.copyOf(checks);
    }

    /** Adds checks; without a {@code status(...)} check the tagged status must be OK. */
    public ImapActionBuilder check(ImapCheck... more) {
        List<ImapCheck> all = new ArrayList<>(checks);
        all.addAll(List.of(more));
        return new ImapActionBuilder(requestName, kind, template, user, password, idleFor, all);
    }

    @Override
    public io.gatling.core.action.builder.ActionBuilder asScala() {
        return new io.gatling.core.action.builder.ActionBuilder() {
            @Override
            public Action build(ScenarioContext ctx, Action next) {
                ImapComponents components = ctx.protocolComponentsRegistry().components(ImapProtocol.KEY);
                return new ImapAction(
                        requestName,
                        kind,
                        commandFor(components.protocol),
                        responseFor(components.protocol),
                        idleFor,
                        effectiveChecks(),
                        components,
                        next);
            }
        };
    }

    private CommandTemplate commandFor(ImapProtocol protocol) {
        if (kind != ImapAction.Kind.LOGIN || template != null) {
            return template;
        }
        String[] credentials = credentials(protocol);
        if (protocol.login() == ImapProtocol.Sasl.PLAIN) {
            return CommandTemplate.of("AUTHENTICATE PLAIN"); // RFC 9051 6.2.2, the response follows the "+"
        }
        return CommandTemplate.of("LOGIN ")
                .thenQuoted(credentials[0])
                .then(" ")
                .thenQuoted(credentials[1]); // RFC 9051 6.2.3
    }

    /** What to answer the server's "+" with: the SASL PLAIN response of a login(), else nothing. */
    private CommandTemplate responseFor(ImapProtocol protocol) {
        if (kind != ImapAction.Kind.LOGIN || template != null || protocol.login() != ImapProtocol.Sasl.PLAIN) {
            return null;
        }
        String[] credentials = credentials(protocol);
        return CommandTemplate.saslPlain(credentials[0], credentials[1]);
    }

    private String[] credentials(ImapProtocol protocol) {
        String u = user != null ? user : protocol.user();
        String p = password != null ? password : protocol.password();
        if (u == null || p == null) {
            throw new IllegalArgumentException("request '" + requestName
                    + "': login() needs credentials: imap().credentials(user, password) or login(user, password)");
        }
        return new String[] {u, p};
    }

    private List<ImapCheck> effectiveChecks() {
        boolean statusChecked = checks.stream().anyMatch(c -> c instanceof StatusCheck);
        if (statusChecked) {
            return checks;
        }
        List<ImapCheck> all = new ArrayList<>();
        all.add(new StatusCheck(EnumSet.of(ImapStatus.OK)));
        all.addAll(checks);
        return all;
    }
}

package org.modseqproxy.load.imap;

import io.gatling.commons.validation.Failure;
import io.gatling.commons.validation.Success;
import io.gatling.commons.validation.Validation;
import io.gatling.core.session.Session;
import io.gatling.javaapi.core.internal.Expressions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import scala.Function1;

/**
 * A command line (without tag and CRLF) made of Gatling EL pieces, resolved per virtual user. Pieces marked
 * "quoted" become IMAP quoted strings after resolution, so a mailbox or password from a feeder is escaped.
 *
 * <p>EL strings are compiled once by Gatling's own compiler ({@code Expressions}, the helper its Java DSL
 * uses), so {@code "#{attr}"} behaves exactly as in Gatling's HTTP DSL.
 */
final class CommandTemplate {

    private record Piece(Function1<Session, Validation<String>> expression, boolean quoted) {}

    private final List<Piece> pieces;
    /** The rendered text is sent base64-encoded (a SASL response line, RFC 9051 6.2.2). */
    private final boolean base64;

    private CommandTemplate(List<Piece> pieces, boolean base64) {
        this.pieces = pieces;
        this.base64 = base64;
    }

    static CommandTemplate of(String el) {
        return new CommandTemplate(List.of(), false).then(el);
    }

    /** RFC 4616: the PLAIN response {@code NUL authcid NUL passwd}, base64 (empty authorization identity). */
    static CommandTemplate saslPlain(String userEl, String passwordEl) {
        return new CommandTemplate(List.of(), true)
                .then("\0")
                .then(userEl)
                .then("\0")
                .then(passwordEl);
    }

    CommandTemplate then(String el) {
        return append(new Piece(Expressions.toStringExpression(el), false));
    }

    CommandTemplate thenQuoted(String el) {
        return append(new Piece(Expressions.toStringExpression(el), true));
    }

    /** The command text for this user's session; {@link IllegalArgumentException} if EL cannot be resolved. */
    String render(Session session) {
        StringBuilder text = new StringBuilder();
        for (Piece piece : pieces) {
            Object value = piece.expression().apply(session); // a Scala Success(value) or Failure(message)
            if (value instanceof Failure failure) {
                throw new IllegalArgumentException(failure.message());
            }
            String resolved = ((Success<?>) value).value().toString();
            text.append(piece.quoted() ? quote(resolved) : resolved);
        }
        return base64
                ? Base64.getEncoder().encodeToString(text.toString().getBytes(StandardCharsets.UTF_8))
                : text.toString();
    }

    /**
     * RFC 9051 4.3 / 9 (formal syntax): quoted = DQUOTE *QUOTED-CHAR DQUOTE, with {@code \} and {@code "}
     * escaped. CR and LF cannot appear in a quoted string (they would need a literal), so they are refused.
     */
    static String quote(String value) {
        StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("CR, LF or NUL cannot be sent in a quoted string: " + value);
            }
            if (c == '"' || c == '\\') {
                quoted.append('\\');
            }
            quoted.append(c);
        }
        return quoted.append('"').toString();
    }

    private CommandTemplate append(Piece piece) {
        List<Piece> more = new ArrayList<>(pieces);
        more.add(piece);
        return new CommandTemplate(List.copyOf(more), base64);
    }
}

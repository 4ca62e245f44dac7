package org.modseqproxy.proxy.command;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.Token;

/**
 * The one place where capability lists are edited, for untagged CAPABILITY responses and [CAPABILITY ...] codes
 * alike, before and after login, and the one place where they are read from a response. Pure.
 */
public final class Capabilities {
    /** What the proxy itself implements toward the client whatever the backend has. */
    public static final List<String> PROVIDED = List.of("ENABLE", "CONDSTORE", "QRESYNC", "LITERAL+", "ID");

    /** RFC 4978: offered by the proxy itself when compress.deflate is on. */
    public static final String COMPRESS_DEFLATE = "COMPRESS=DEFLATE";

    private Capabilities() {}

    /**
     * The capability list a response carries: an untagged "CAPABILITY ..." line (RFC 9051 7.2.2), or a [CAPABILITY ...]
     * response code on any status response, greeting or tagged answer (RFC 9051 7.1).
     */
    public static Optional<List<String>> in(Frame frame) {
        if ("CAPABILITY".equals(frame.keyword())) {
            return Optional.of(atoms(frame.tokens().subList(1, frame.tokens().size())));
        }
        return frame.code().filter(c -> c.name().equals("CAPABILITY")).map(c -> atoms(c.args()));
    }

    private static List<String> atoms(List<Token> tokens) {
        List<String> out = new ArrayList<>();
        for (Token t : tokens) {
            String s = t.stringValue();
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Before authentication the proxy answers alone (the backend is not connected yet).
     *
     * @param relayed SASL mechanisms relayed to the backend (offered there), after AUTH=PLAIN */
    public static List<String> preLogin(
            boolean tlsActive, boolean startTlsOffered, boolean loginRequiresTls, List<String> relayed) {
        List<String> caps = new ArrayList<>(
                List.of("IMAP4rev1", "SASL-IR", "LITERAL+", "ID", "ENABLE", "IDLE", "CONDSTORE", "QRESYNC"));
        if (startTlsOffered && !tlsActive) {
            caps.add("STARTTLS");
        }
        if (loginRequiresTls && !tlsActive) {
            // RFC 9051 6.2.3 / RFC 3501 7.2.1: no plaintext LOGIN, and no AUTH=PLAIN advertised, until TLS is up.
            caps.add("LOGINDISABLED");
        } else {
            caps.add("AUTH=PLAIN");
            relayed.forEach(m -> caps.add("AUTH=" + m));
        }
        return caps;
    }

    /**
     * The backend's post-login capabilities as the client must see them: capabilities the proxy cannot relay safely are
     * removed, those it provides itself are added once.
     */
    public static List<String> postLogin(List<String> backendCaps, boolean compress) {
        Set<String> out = new LinkedHashSet<>();
        for (String cap : backendCaps) {
            if (!unsafe(cap)) {
                out.add(cap);
            }
        }
        out.addAll(PROVIDED);
        if (compress) {
            out.add(COMPRESS_DEFLATE); // the proxy's own, toward the client; the backend link stays uncompressed
        }
        return new ArrayList<>(out);
    }

    /** True when the backend has the capability (case-insensitive, RFC 9051 9: capability names are case-insensitive). */
    public static boolean has(List<String> caps, String cap) {
        for (String c : caps) {
            if (c.equalsIgnoreCase(cap)) {
                return true;
            }
        }
        return false;
    }

    private static boolean unsafe(String cap) {
        String c = cap.toUpperCase(Locale.ROOT);
        return c.startsWith("COMPRESS=") // RFC 4978: the backend's would hide the stream from the proxy's codec
                || c.startsWith("AUTH=") // authentication is over; the proxy logged in already
                || c.equals("SASL-IR")
                || c.equals("STARTTLS") // the backend link's TLS is the proxy's business, not the client's
                || c.equals("LOGINDISABLED")
                || c.equals("LITERAL-") // replaced by LITERAL+, which the proxy implements itself (RFC 7888)
                || c.equals("NOTIFY") // RFC 5465 events would bypass the mod-sequence rewriting
                || c.equals("CONDSTORE") // provided by the proxy (re-added below)
                || c.equals("QRESYNC");
    }
}

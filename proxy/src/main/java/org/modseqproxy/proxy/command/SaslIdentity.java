package org.modseqproxy.proxy.command;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Who is logging in, read from the first client response of a SASL exchange the proxy relays to the backend without
 * taking part in it. The proxy needs the name (its mod-sequence state is per user) and nothing else: passwords and
 * tokens in the same response are neither kept nor logged. Pure.
 */
public final class SaslIdentity {
    private SaslIdentity() {}

    /**
     * The user named by {@code base64Response}, the client's first response (or SASL-IR initial response, RFC 4959)
     * for {@code mechanism}; empty when it names none or is not valid.
     *
     * <ul>
     *   <li>LOGIN (draft-murchison-sasl-login): the first response is the user name.
     *   <li>XOAUTH2 (Google's profile): {@code user=NAME ^A auth=Bearer TOKEN ^A ^A}.
     *   <li>OAUTHBEARER (RFC 7628 3.1): the GS2 header {@code n,a=NAME,} names the authorization identity; without
     *       {@code a=} only the token knows the user, and the proxy cannot tell.
     * </ul>
     */
    public static Optional<String> user(String mechanism, String base64Response) {
        String text;
        try {
            text = new String(Base64.getDecoder().decode(base64Response.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String name = switch (mechanism.toUpperCase(Locale.ROOT)) {
            case "LOGIN" -> text;
            case "XOAUTH2" -> field(text.split("\u0001", -1), "user=");
            case "OAUTHBEARER" -> authzid(text);
            default -> null;
        };
        return name == null || name.isEmpty() || name.indexOf('\0') >= 0 ? Optional.empty() : Optional.of(name);
    }

    private static String field(String[] parts, String prefix) {
        for (String p : parts) {
            if (p.startsWith(prefix)) {
                return p.substring(prefix.length());
            }
        }
        return null;
    }

    /** RFC 5801 4 (the GS2 header RFC 7628 uses): {@code cbflag "," [ "a=" saslname ] ","}, "=2C"/"=3D" escaped. */
    private static String authzid(String text) {
        int end = text.indexOf('\u0001');
        String header = end < 0 ? text : text.substring(0, end);
        String[] parts = header.split(",", -1);
        if (parts.length < 3 || !parts[1].startsWith("a=")) {
            return null;
        }
        return parts[1].substring(2).replace("=2C", ",").replace("=3D", "=");
    }
}

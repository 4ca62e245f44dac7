package org.modseqproxy.proxy.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rows from the mechanisms' own examples (RFC 7628 4.1, Google's XOAUTH2 page, the LOGIN draft). */
class SaslIdentityTest {
    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.replace("^A", "\u0001").getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            nullValues = "NONE",
            value = {
                // RFC 7628 4.1: "n,a=user@example.com,^Ahost=server.example.com^Aport=143^Aauth=Bearer
                // vF9dft4qmT...^A^A"
                "OAUTHBEARER | n,a=user@example.com,^Ahost=server.example.com^Aport=143^Aauth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==^A^A | user@example.com",
                // RFC 7628 4.3: no authorization identity; only the token knows the user
                "OAUTHBEARER | n,,^Ahost=server.example.com^Aport=143^Aauth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==^A^A | NONE",
                // RFC 5801 escaping of ',' and '=' in a saslname
                "OAUTHBEARER | n,a=odd=2Cname=3Dx,^Aauth=Bearer t^A^A | 'odd,name=x'",
                // Google: base64("user=" {User} "^Aauth=Bearer " {Access Token} "^A^A")
                "XOAUTH2 | user=someuser@example.com^Aauth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg^A^A | someuser@example.com",
                "XOAUTH2 | auth=Bearer ya29.token^A^A | NONE",
                "LOGIN | tim | tim",
                "login | alice@example.org | alice@example.org",
                "LOGIN | '' | NONE",
                "PLAIN | \u0000tim\u0000tanstaaftanstaaf | NONE",
            })
    void readsTheUserAndNothingElse(String mechanism, String response, String user) {
        assertThat(SaslIdentity.user(mechanism, b64(response))).isEqualTo(Optional.ofNullable(user));
    }

    @ParameterizedTest
    @CsvSource({"LOGIN, not base64!", "XOAUTH2, %%%"})
    void invalidBase64NamesNobody(String mechanism, String response) {
        assertThat(SaslIdentity.user(mechanism, response)).isEmpty();
    }
}

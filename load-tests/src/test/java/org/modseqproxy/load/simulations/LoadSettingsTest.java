package org.modseqproxy.load.simulations;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LoadSettingsTest {

    @Test
    void usersSecondsAndModelAreChecked() {
        System.setProperty("load.test.count", "0");
        try {
            assertThatThrownBy(() -> LoadSettings.atLeastOne("load.test.count", 20))
                    .hasMessage("load.test.count must be 1 or more, was 0");
            System.setProperty("load.test.count", "5000");
            org.assertj.core.api.Assertions.assertThat(LoadSettings.atLeastOne("load.test.count", 20))
                    .isEqualTo(5000); // no product ceiling: a staging run may want thousands
            System.clearProperty("load.test.count");
            org.assertj.core.api.Assertions.assertThat(LoadSettings.atLeastOne("load.test.count", 20))
                    .isEqualTo(20);
        } finally {
            System.clearProperty("load.test.count");
        }
        System.setProperty("load.model", "sometimes");
        try {
            assertThatThrownBy(() -> LoadSettings.fromSystemProperties(1, 1))
                    .hasMessage("load.model must be open or closed, was sometimes");
        } finally {
            System.clearProperty("load.model");
        }
        System.setProperty("load.usersCsv", "/nonexistent/users.csv");
        try {
            assertThatThrownBy(() -> LoadSettings.fromSystemProperties(1, 1))
                    .hasMessageContaining("cannot read /nonexistent/users.csv");
        } finally {
            System.clearProperty("load.usersCsv");
        }
        assertThatCode(() -> LoadSettings.fromSystemProperties(3, 4)).doesNotThrowAnyException();
        org.assertj.core.api.Assertions.assertThat(
                        LoadSettings.fromSystemProperties(3, 4).maxDuration())
                .isEqualTo(java.time.Duration.ofSeconds(5 + 4 + 60));
    }

    @Test
    void koShareIsAPercentage() {
        org.assertj.core.api.Assertions.assertThat(LoadSettings.koPercent("0.5"))
                .isEqualTo(0.5);
        assertThatThrownBy(() -> LoadSettings.koPercent("101"))
                .hasMessage("load.maxKoPercent must be between 0 and 100, was 101");
        assertThatThrownBy(() -> LoadSettings.koPercent("NaN")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoadSettings.koPercent("-1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tlsVerificationAndSaslChooseTheProtocol() throws Exception {
        java.nio.file.Path pem = java.nio.file.Files.createTempFile("trust", ".pem");
        System.setProperty("imap.tls", "STARTTLS");
        System.setProperty("imap.tlsVerify", "true");
        System.setProperty("imap.trustPem", pem.toString());
        System.setProperty("imap.auth", "plain");
        try {
            var p = (org.modseqproxy.load.imap.ImapProtocol)
                    LoadSettings.fromSystemProperties(1, 1).protocol().protocol();
            org.assertj.core.api.Assertions.assertThat(p.security())
                    .isEqualTo(org.modseqproxy.load.imap.ImapProtocol.Security.STARTTLS);
            org.assertj.core.api.Assertions.assertThat(p.verifyCertificates()).isTrue();
            org.assertj.core.api.Assertions.assertThat(p.trustedCertificates()).isEqualTo(pem.toString());
            org.assertj.core.api.Assertions.assertThat(p.login())
                    .isEqualTo(org.modseqproxy.load.imap.ImapProtocol.Sasl.PLAIN);
            System.setProperty("imap.tls", "sometimes");
            assertThatThrownBy(() -> LoadSettings.fromSystemProperties(1, 1))
                    .hasMessage("imap.tls must be one of [false, true, implicit, starttls], was sometimes");
        } finally {
            for (String k : new String[] {"imap.tls", "imap.tlsVerify", "imap.trustPem", "imap.auth"}) {
                System.clearProperty(k);
            }
            java.nio.file.Files.delete(pem);
        }
        var plain = (org.modseqproxy.load.imap.ImapProtocol)
                LoadSettings.fromSystemProperties(1, 1).protocol().protocol();
        org.assertj.core.api.Assertions.assertThat(plain.security())
                .isEqualTo(org.modseqproxy.load.imap.ImapProtocol.Security.PLAIN);
        org.assertj.core.api.Assertions.assertThat(plain.login())
                .isEqualTo(org.modseqproxy.load.imap.ImapProtocol.Sasl.LOGIN);
    }
}

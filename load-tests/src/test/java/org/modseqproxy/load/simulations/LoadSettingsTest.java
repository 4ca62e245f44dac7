package org.modseqproxy.load.simulations;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LoadSettingsTest {

    @Test
    void onlyLoopbackTargets() {
        assertThatCode(() -> LoadSettings.requireLoopback("127.0.0.1")).doesNotThrowAnyException();
        assertThatCode(() -> LoadSettings.requireLoopback("127.3.4.5")).doesNotThrowAnyException();
        assertThatCode(() -> LoadSettings.requireLoopback("::1")).doesNotThrowAnyException();
        assertThatCode(() -> LoadSettings.requireLoopback("LOCALHOST")).doesNotThrowAnyException();
        assertThatThrownBy(() -> LoadSettings.requireLoopback("10.0.0.1"))
                .hasMessage("imap.host must be localhost or a loopback address such as 127.0.0.1 or ::1, was 10.0.0.1");
        assertThatThrownBy(() -> LoadSettings.requireLoopback("imap.example.org"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void usersAndSecondsAreBounded() {
        System.setProperty("load.test.bound", "51");
        try {
            assertThatThrownBy(() -> LoadSettings.bounded("load.test.bound", 20, 50))
                    .hasMessage("load.test.bound must be between 1 and 50, was 51");
            System.setProperty("load.test.bound", "0");
            assertThatThrownBy(() -> LoadSettings.bounded("load.test.bound", 20, 50))
                    .isInstanceOf(IllegalArgumentException.class);
            System.clearProperty("load.test.bound");
            org.assertj.core.api.Assertions.assertThat(LoadSettings.bounded("load.test.bound", 20, 50))
                    .isEqualTo(20);
        } finally {
            System.clearProperty("load.test.bound");
        }
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
}

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
}

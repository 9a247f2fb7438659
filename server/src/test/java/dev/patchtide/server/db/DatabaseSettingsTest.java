package dev.patchtide.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Settings a pool cannot work with are refused at once, naming the setting. */
class DatabaseSettingsTest {
    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/patchtide";

    @Test
    void connectionTimeoutIsHikarisThirtySecondsUnlessSaidOtherwise() {
        assertThat(DatabaseSettings.of(URL).connectionTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(DatabaseSettings.of(URL)
                        .withConnectionTimeout(Duration.ofSeconds(2))
                        .connectionTimeout())
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void connectionTimeoutBelowWhatThePoolAcceptsIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> DatabaseSettings.of(URL).withConnectionTimeout(Duration.ofMillis(249)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("db-connection-timeout cannot be less than 250 ms");
        assertThatThrownBy(() -> DatabaseSettings.of(URL).withConnectionTimeout(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("db-connection-timeout cannot be less than 250 ms");
        assertThat(DatabaseSettings.of(URL)
                        .withConnectionTimeout(Duration.ofMillis(250))
                        .connectionTimeout())
                .isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void poolSizeBelowOneIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new DatabaseSettings(URL, null, null, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("db-pool-size cannot be less than 1");
    }
}

package dev.plumber.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthTest {

    @Test
    void isReadyWhenEveryRequiredCheckPassesWhateverTheInformationSays() {
        Health health = new Health().required("store", null).info("dlp", "icap …, breaker OPEN");

        assertThat(health.ready()).isTrue();
        assertThat(health.body()).containsEntry("status", "UP").doesNotContainKey("reason");
    }

    @Test
    void reportsTheFirstFailedCheckAsTheReason() {
        Health health = new Health()
                .required("settings", "no valid DLP settings: etcd unreachable")
                .required("store", "the status store does not answer");

        assertThat(health.ready()).isFalse();
        assertThat(health.body())
                .containsEntry("status", "DOWN")
                .containsEntry("reason", "settings: no valid DLP settings: etcd unreachable")
                .containsEntry(
                        "checks",
                        Map.of(
                                "settings", "no valid DLP settings: etcd unreachable",
                                "store", "the status store does not answer"));
    }
}

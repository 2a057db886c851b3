package dev.plumber.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EtcdDlpSettingsSourceBackoffTest {

    @Test
    void doublesFromTheFirstDelayUpToTheCap() {
        EtcdDlpSettingsSource.Backoff backoff =
                EtcdDlpSettingsSource.Backoff.exponential(Duration.ofMillis(500), Duration.ofSeconds(3));

        assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delay(4)).isEqualTo(Duration.ofSeconds(3));
        assertThat(backoff.delay(1_000_000)).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void rejectsEndpointsWithoutScheme() {
        GatewayConfig.Etcd config = new GatewayConfig.Etcd(List.of("etcd:2379"), null, null, null, null);

        assertThatThrownBy(() -> EtcdDlpSettingsSource.start(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http://etcd:2379");
    }
}

package dev.plumber.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequestConsumerTest {

    @Test
    void backOffDoublesAndIsCapped() {
        assertThat(RequestConsumer.backoff(0)).isEqualTo(Duration.ofMillis(500));
        assertThat(RequestConsumer.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(RequestConsumer.backoff(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(RequestConsumer.backoff(50)).isEqualTo(Duration.ofSeconds(30));
    }
}

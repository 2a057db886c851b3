package dev.plumber.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void givesDistinctPorts() {
        int[] ports = FreePorts.take(5);
        assertThat(ports).hasSize(5).doesNotHaveDuplicates();
        assertThat(Arrays.stream(ports).min().orElseThrow()).isPositive();
    }

    @Test
    void launchesAgainWhenAPortWasTakenMeanwhile() {
        AtomicInteger attempts = new AtomicInteger();
        String started = FreePorts.retryingPortClashes(() -> {
            if (attempts.incrementAndGet() < 3) {
                throw new IllegalStateException("etcd exited while starting; bind: address already in use");
            }
            return "up";
        });
        assertThat(started).isEqualTo("up");
        assertThat(attempts).hasValue(3);
    }

    @Test
    void doesNotRetryOtherFailures() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> FreePorts.retryingPortClashes(() -> {
                    attempts.incrementAndGet();
                    throw new IllegalStateException("'etcd' is not installed");
                }))
                .hasMessageContaining("not installed");
        assertThat(attempts).hasValue(1);
    }
}

package dev.plumber.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MetersTest {

    @Test
    void functionCountersKeepReadingTheirSourceAfterACollection() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Meters meters = new Meters(registry);
        AtomicLong sent = new AtomicLong(4096);
        AtomicLong rejected = new AtomicLong(2);
        // Method references held by nothing but the meters, as the gateway registers them.
        meters.dlpBodyBytes("icap", sent::get);
        meters.settingsRejected(rejected::get);

        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        sent.addAndGet(1024);

        assertThat(registry.get(Meters.DLP_BODY_BYTES)
                        .tag("system", "icap")
                        .functionCounter()
                        .count())
                .isEqualTo(5120);
        assertThat(registry.get(Meters.SETTINGS_REJECTED).functionCounter().count())
                .isEqualTo(2);
    }
}

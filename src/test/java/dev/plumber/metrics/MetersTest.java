package dev.plumber.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.status.Status;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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

    @Test
    void hotPathMetersAreRegisteredOnceAndCountEveryCall() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Meters meters = new Meters(registry);

        meters.terminal(Status.ALLOWED);
        meters.terminal(Status.ALLOWED);
        meters.terminal(Status.BLOCKED);
        meters.statusWait("write", 1_000_000);
        meters.statusWait("write", 3_000_000);
        meters.statusFlush("write", 120, 2_000_000, 5_000_000);
        meters.statusFlush("write", 80, 1_000_000, 7_000_000);
        meters.dlpCall("icap", "allowed", Duration.ofMillis(2));
        meters.dlpCall("icap", "blocked", Duration.ofMillis(4));

        assertThat(registry.get(Meters.EVENTS)
                        .tag("status", "ALLOWED")
                        .counter()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get(Meters.EVENTS)
                        .tag("status", "BLOCKED")
                        .counter()
                        .count())
                .isEqualTo(1);
        Timer writes = registry.get(Meters.STATUS_WAITS).tag("op", "write").timer();
        assertThat(writes.count()).isEqualTo(2);
        assertThat(writes.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(4);
        Timer flushes = registry.get(Meters.STATUS_FLUSHES).tag("op", "write").timer();
        assertThat(flushes.count()).isEqualTo(2);
        assertThat(flushes.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(12);
        assertThat(registry.get(Meters.STATUS_FLUSH_ROWS)
                        .tag("op", "write")
                        .summary()
                        .totalAmount())
                .isEqualTo(200);
        Timer queued = registry.get(Meters.STATUS_QUEUE).tag("op", "write").timer();
        assertThat(queued.count()).isEqualTo(2);
        assertThat(queued.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3);
        assertThat(registry.get(Meters.DLP_CALLS).timers()).hasSize(2);
    }
}

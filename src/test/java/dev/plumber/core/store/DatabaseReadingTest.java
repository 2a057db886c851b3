package dev.plumber.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.MutableClock;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DatabaseReadingTest {
    private final MutableClock clock = new MutableClock();
    private final AtomicInteger queries = new AtomicInteger();

    @Test
    void servesOneReadingUntilItIsNoLongerFresh() {
        DatabaseReading<Integer> reading =
                new DatabaseReading<>(queries::incrementAndGet, clock, Duration.ofSeconds(1), Duration.ofSeconds(5));

        assertThat(reading.get().value()).isEqualTo(1);
        assertThat(reading.get().value()).isEqualTo(1);
        clock.advance(Duration.ofMillis(999));
        assertThat(reading.get().value()).isEqualTo(1);
        clock.advance(Duration.ofMillis(1));

        assertThat(reading.get()).isEqualTo(new DatabaseReading.Outcome<>(2, null));
        assertThat(queries).hasValue(2);
    }

    @Test
    void aFailedQueryIsAProblemAndIsTriedAgainOnceStale() {
        DatabaseReading<Integer> reading = new DatabaseReading<>(
                () -> {
                    if (queries.incrementAndGet() == 1) {
                        throw new SQLException("Connection to 127.0.0.1:5432 refused");
                    }
                    return 7;
                },
                clock,
                Duration.ofSeconds(1),
                Duration.ofSeconds(5));

        DatabaseReading.Outcome<Integer> failed = reading.get();
        clock.advance(Duration.ofSeconds(1));

        assertThat(failed.ok()).isFalse();
        assertThat(failed.problem()).isEqualTo("the database failed the query: Connection to 127.0.0.1:5432 refused");
        assertThat(reading.get().value()).isEqualTo(7);
    }

    @Test
    void aHangingQueryIsWaitedForOnlyThePatienceAndNeverStartedTwice() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        DatabaseReading<Integer> reading = new DatabaseReading<>(
                () -> {
                    queries.incrementAndGet();
                    release.await();
                    return 3;
                },
                clock,
                Duration.ofSeconds(1),
                Duration.ofMillis(100));

        long start = System.nanoTime();
        DatabaseReading.Outcome<Integer> first = reading.get();
        DatabaseReading.Outcome<Integer> second = reading.get();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        release.countDown();

        assertThat(first.problem()).isEqualTo("the database did not answer within 100 ms");
        assertThat(second.problem()).isEqualTo(first.problem());
        assertThat(tookMillis).isLessThan(2_000);
        assertThat(queries).hasValue(1);
        // The query that hung answers the next caller once it is done.
        Eventually.within(
                Duration.ofSeconds(5), () -> assertThat(reading.get().value()).isEqualTo(3));
        assertThat(queries).hasValue(1);
    }
}

package dev.plumber.core.users;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.testkit.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final MutableClock clock = new MutableClock();
    private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofSeconds(60), clock);

    @Test
    void locksAnAccountAndAddressOutAfterTheLastAllowedFailure() {
        throttle.failed("alice@demo.local", "10.0.0.1");
        throttle.failed("Alice@Demo.local", "10.0.0.1");
        assertThat(throttle.retryAfter("alice@demo.local", "10.0.0.1")).isEmpty();

        throttle.failed("alice@demo.local", "10.0.0.1");
        clock.advance(Duration.ofSeconds(20));

        assertThat(throttle.retryAfter("alice@demo.local", "10.0.0.1")).contains(Duration.ofSeconds(40));
        assertThat(throttle.retryAfter("alice@demo.local", "10.0.0.2")).isEmpty();
        assertThat(throttle.retryAfter("bob@demo.local", "10.0.0.1")).isEmpty();
    }

    @Test
    void theLockOutEndsAndTheCountStartsAgain() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("alice@demo.local", "10.0.0.1");
        }
        clock.advance(Duration.ofSeconds(60));

        assertThat(throttle.retryAfter("alice@demo.local", "10.0.0.1")).isEmpty();
        throttle.failed("alice@demo.local", "10.0.0.1");
        assertThat(throttle.retryAfter("alice@demo.local", "10.0.0.1")).isEmpty();
    }

    @Test
    void failuresOlderThanTheWindowAreForgotten() {
        throttle.failed("alice@demo.local", "10.0.0.1");
        throttle.failed("alice@demo.local", "10.0.0.1");
        clock.advance(Duration.ofSeconds(61));

        throttle.failed("alice@demo.local", "10.0.0.1");

        assertThat(throttle.retryAfter("alice@demo.local", "10.0.0.1")).isEmpty();
    }

    @Test
    void aSuccessClearsTheFailures() {
        throttle.failed("alice@demo.local", "10.0.0.1");
        throttle.failed("alice@demo.local", "10.0.0.1");
        throttle.succeeded("alice@demo.local", "10.0.0.1");

        throttle.failed("alice@demo.local", "10.0.0.1");

        assertThat(throttle.retryAfter("alice@demo.local", "10.0.0.1")).isEmpty();
    }
}

package dev.plumber.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.testkit.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final MutableClock clock = new MutableClock();
    private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofSeconds(30), clock);

    @Test
    void locksAPairAfterRepeatedFailuresAndReleasesItWhenTheLockPasses() {
        throttle.failed("a@x", "10.0.0.1");
        throttle.failed("A@x ", "10.0.0.1");
        assertThat(throttle.lockedFor("a@x", "10.0.0.1")).isEmpty();

        throttle.failed("a@x", "10.0.0.1");

        assertThat(throttle.lockedFor("a@x", "10.0.0.1")).hasValue(Duration.ofSeconds(30));
        assertThat(throttle.lockedFor("a@x", "10.0.0.2")).isEmpty();
        assertThat(throttle.lockedFor("b@x", "10.0.0.1")).isEmpty();
        clock.advance(Duration.ofSeconds(31));
        assertThat(throttle.lockedFor("a@x", "10.0.0.1")).isEmpty();
    }

    @Test
    void eachFurtherFailureDoublesTheLockUpToAnHour() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("a@x", "ip");
        }
        assertThat(throttle.lockedFor("a@x", "ip")).hasValue(Duration.ofSeconds(60));
        for (int i = 0; i < 30; i++) {
            throttle.failed("a@x", "ip");
        }
        assertThat(throttle.lockedFor("a@x", "ip")).hasValue(Duration.ofHours(1));
    }

    @Test
    void aSuccessForgetsTheFailures() {
        throttle.failed("a@x", "ip");
        throttle.failed("a@x", "ip");
        throttle.succeeded("a@x", "ip");
        throttle.failed("a@x", "ip");
        assertThat(throttle.lockedFor("a@x", "ip")).isEmpty();
    }

    @Test
    void aFloodOfJunkEmailsDoesNotResetAnAccountsFailures() {
        LoginThrottle fiveTries = new LoginThrottle(5, Duration.ofSeconds(30), clock);
        for (int i = 0; i < 4; i++) {
            fiveTries.failed("admin@x", "10.0.0.1");
        }
        for (int i = 0; i < 100_002; i++) {
            fiveTries.failed("junk-" + i + "@x", "10.6.6.6");
        }

        fiveTries.failed("admin@x", "10.0.0.1");

        assertThat(fiveTries.lockedFor("admin@x", "10.0.0.1")).hasValue(Duration.ofSeconds(30));
    }

    @Test
    void failuresAreForgottenAnHourAfterTheLastOne() {
        throttle.failed("a@x", "ip");
        throttle.failed("a@x", "ip");
        clock.advance(Duration.ofMinutes(61));

        throttle.failed("a@x", "ip");

        assertThat(throttle.lockedFor("a@x", "ip")).isEmpty();
    }
}

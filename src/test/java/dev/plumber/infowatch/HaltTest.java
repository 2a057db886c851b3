package dev.plumber.infowatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.testkit.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HaltTest {
    private final MutableClock clock = new MutableClock();
    private final Halt halt = new Halt(clock, Duration.ofSeconds(5), Duration.ofSeconds(12));

    @Test
    void aHaltRefusesCallsUntilTheBackoffThenLetsOneProbeThrough() {
        halt.halt("settings-a", "bad token");

        assertThat(halt.refusal("settings-a")).startsWith("bad token");
        clock.advance(Duration.ofSeconds(5));
        assertThat(halt.refusal("settings-a")).as("the probe").isNull();
        assertThat(halt.refusal("settings-a"))
                .as("a second call while the probe runs")
                .isNotNull();
    }

    @Test
    void aHaltThatGoesOnDoublesItsBackoffUpToTheMaximum() {
        halt.halt("s", "licence");
        clock.advance(Duration.ofSeconds(5));
        halt.refusal("s");
        halt.halt("s", "licence");

        clock.advance(Duration.ofSeconds(9));
        assertThat(halt.refusal("s")).isNotNull();
        clock.advance(Duration.ofSeconds(1));
        assertThat(halt.refusal("s")).isNull();
        halt.halt("s", "licence");
        clock.advance(Duration.ofSeconds(12));
        assertThat(halt.refusal("s")).as("capped at 12 s").isNull();
    }

    @Test
    void changedSettingsGoThroughAtOnce() {
        halt.halt("old token", "bad token");

        assertThat(halt.refusal("new token")).isNull();
        assertThat(halt.reason()).contains("bad token");
    }

    @Test
    void aSuccessfulCallClearsTheHalt() {
        halt.halt("s", "bad token");
        halt.clear();

        assertThat(halt.reason()).isEmpty();
        assertThat(halt.refusal("s")).isNull();
    }
}

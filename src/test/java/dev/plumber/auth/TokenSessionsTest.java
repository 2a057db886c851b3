package dev.plumber.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.testkit.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenSessionsTest {
    private final MutableClock clock = new MutableClock();

    @Test
    void aTokenExpiresAfterItsIdleTimeWithoutUse() {
        TokenSessions<String> sessions = new TokenSessions<>(Duration.ofHours(1), clock);
        String token = sessions.open("a@x");
        clock.advance(Duration.ofMinutes(59));
        assertThat(sessions.principal(token)).hasValue("a@x");

        clock.advance(Duration.ofMinutes(61));

        assertThat(sessions.principal(token)).isEmpty();
    }

    @Test
    void tokensNeverUsedAgainAreDroppedOnceTheyExpire() {
        TokenSessions<String> sessions = new TokenSessions<>(Duration.ofHours(1), clock);
        for (int i = 0; i < 2_000; i++) {
            sessions.open("a@x");
        }
        String live = sessions.open("b@x");
        clock.advance(Duration.ofMinutes(61));
        assertThat(sessions.principal(live)).isEmpty();
        String kept = sessions.open("c@x");

        String next = sessions.open("d@x");

        assertThat(sessions.size()).isEqualTo(2);
        assertThat(sessions.principal(kept)).hasValue("c@x");
        assertThat(sessions.principal(next)).hasValue("d@x");
    }

    @Test
    void aTokenInConstantUseStillDiesAtTheEndOfItsLifetime() {
        TokenSessions<String> sessions = new TokenSessions<>(Duration.ofHours(1), Duration.ofHours(8), clock);
        String token = sessions.open("a@x");
        for (int i = 0; i < 15; i++) {
            clock.advance(Duration.ofMinutes(30));
            assertThat(sessions.principal(token))
                    .as("after %d min", (i + 1) * 30)
                    .hasValue("a@x");
        }

        clock.advance(Duration.ofMinutes(30));

        assertThat(sessions.principal(token)).isEmpty();
    }
}

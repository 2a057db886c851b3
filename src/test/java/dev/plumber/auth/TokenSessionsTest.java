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

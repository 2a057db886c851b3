package dev.plumber.core.users;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.testkit.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionCacheTest {
    private static final Duration DAY = Duration.ofDays(1);

    private final MutableClock clock = new MutableClock();
    private final SessionCache cache = new SessionCache(clock, Duration.ofSeconds(1), 3);
    private final User alice = new User(1, "alice@demo.local", Role.USER);
    private final User bob = new User(2, "bob@demo.local", Role.USER);

    @Test
    void answersForATokenUntilItsFreshnessEnds() {
        cache.remember(BearerTokens.sha256("a"), alice, DAY, cache.generation());

        clock.advance(Duration.ofMillis(999));
        assertThat(cache.find(BearerTokens.sha256("a"))).contains(alice);
        assertThat(cache.find(BearerTokens.sha256("b"))).isEmpty();

        clock.advance(Duration.ofMillis(1));
        assertThat(cache.find(BearerTokens.sha256("a"))).isEmpty();
    }

    @Test
    void neverAnswersPastTheEndOfTheSession() {
        cache.remember(BearerTokens.sha256("a"), alice, Duration.ofMillis(300), cache.generation());
        cache.remember(BearerTokens.sha256("b"), alice, Duration.ZERO, cache.generation());

        assertThat(cache.find(BearerTokens.sha256("b"))).isEmpty();
        clock.advance(Duration.ofMillis(300));
        assertThat(cache.find(BearerTokens.sha256("a"))).isEmpty();
    }

    @Test
    void aLoggedOutTokenIsForgottenAtOnceAndOtherTokensStay() {
        cache.remember(BearerTokens.sha256("a"), alice, DAY, cache.generation());
        cache.remember(BearerTokens.sha256("a2"), alice, DAY, cache.generation());

        cache.forgetToken(BearerTokens.sha256("a"));

        assertThat(cache.find(BearerTokens.sha256("a"))).isEmpty();
        assertThat(cache.find(BearerTokens.sha256("a2"))).contains(alice);
    }

    @Test
    void everySessionOfAChangedAccountIsForgottenAtOnce() {
        cache.remember(BearerTokens.sha256("a"), alice, DAY, cache.generation());
        cache.remember(BearerTokens.sha256("a2"), alice, DAY, cache.generation());
        cache.remember(BearerTokens.sha256("b"), bob, DAY, cache.generation());

        cache.forgetUser(alice.id());

        assertThat(cache.find(BearerTokens.sha256("a"))).isEmpty();
        assertThat(cache.find(BearerTokens.sha256("a2"))).isEmpty();
        assertThat(cache.find(BearerTokens.sha256("b"))).contains(bob);
    }

    @Test
    void aLookUpThatStartedBeforeAForgetIsNotCached() {
        long before = cache.generation();
        // The database said "alice, enabled"; meanwhile an administrator disabled her and the cache forgot her.
        cache.forgetUser(alice.id());

        cache.remember(BearerTokens.sha256("a"), alice, DAY, before);

        assertThat(cache.find(BearerTokens.sha256("a"))).isEmpty();
        cache.remember(BearerTokens.sha256("a"), alice, DAY, cache.generation());
        assertThat(cache.find(BearerTokens.sha256("a"))).contains(alice);
    }

    @Test
    void holdsNoMoreThanItsCapacityAndMakesRoomFromStaleEntries() {
        for (String token : new String[] {"a", "b", "c", "d"}) {
            cache.remember(BearerTokens.sha256(token), alice, DAY, cache.generation());
        }
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.find(BearerTokens.sha256("d"))).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        cache.remember(BearerTokens.sha256("d"), alice, DAY, cache.generation());

        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.find(BearerTokens.sha256("d"))).contains(alice);
    }

    @Test
    void withZeroFreshnessNothingIsCached() {
        SessionCache off = new SessionCache(clock, Duration.ZERO, 3);

        off.remember(BearerTokens.sha256("a"), alice, DAY, off.generation());

        assertThat(off.find(BearerTokens.sha256("a"))).isEmpty();
    }
}

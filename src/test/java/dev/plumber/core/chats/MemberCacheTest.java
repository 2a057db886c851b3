package dev.plumber.core.chats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.testkit.MutableClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberCacheTest {
    private final MutableClock clock = new MutableClock();
    private final MemberCache cache = new MemberCache(clock, Duration.ofSeconds(1), 2);

    @Test
    void answersForAChatUntilItsFreshnessEnds() {
        cache.remember(new Chats.Membership(7, "personal", List.of(1L, 2L)));

        clock.advance(Duration.ofMillis(999));
        assertThat(cache.find(7)).hasValueSatisfying(chat -> {
            assertThat(chat.type()).isEqualTo("personal");
            assertThat(chat.has(1)).isTrue();
            assertThat(chat.has(3)).isFalse();
        });
        assertThat(cache.find(8)).isEmpty();

        clock.advance(Duration.ofMillis(1));
        assertThat(cache.find(7)).isEmpty();
    }

    @Test
    void holdsNoMoreThanItsCapacityAndMakesRoomFromStaleEntries() {
        cache.remember(new Chats.Membership(1, "group", List.of(1L)));
        cache.remember(new Chats.Membership(2, "group", List.of(1L)));
        cache.remember(new Chats.Membership(3, "group", List.of(1L)));
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.find(3)).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        cache.remember(new Chats.Membership(3, "group", List.of(1L)));

        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.find(3)).isPresent();
    }
}

package dev.plumber.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.testkit.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SearchJournalingTest {
    private final MutableClock clock = new MutableClock();
    private final SearchJournaling searches = new SearchJournaling(Duration.ofMinutes(10), clock);

    @Test
    void aRepeatedSearchIsJournaledOncePerWindow() {
        assertThat(searches.due("a@x", "secret")).isTrue();
        searches.journaled("a@x", "secret");
        for (int i = 0; i < 119; i++) {
            clock.advance(Duration.ofSeconds(5)); // the live view's refresh
            assertThat(searches.due("a@x", "secret")).isFalse();
        }

        clock.advance(Duration.ofSeconds(5));

        assertThat(searches.due("a@x", "secret")).isTrue();
    }

    @Test
    void otherWordsOrAnotherAccountAreJournaledAtOnce() {
        searches.journaled("a@x", "secret");

        assertThat(searches.due("a@x", "recipe")).isTrue();
        assertThat(searches.due("b@x", "secret")).isTrue();
    }
}

package dev.plumber.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.SequencedSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RecentIdsTest {

    @Test
    void remembersTheLastIdsAddedAndForgetsTheOldestFirst() {
        RecentIds ids = new RecentIds(3);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        UUID d = UUID.randomUUID();
        ids.add(a);
        ids.add(b);
        ids.add(c);
        ids.add(a); // already there: it keeps its place
        assertThat(ids.contains(a)).isTrue();

        ids.add(d);

        assertThat(ids.contains(a)).isFalse();
        assertThat(ids.contains(b)).isTrue();
        assertThat(ids.contains(c)).isTrue();
        assertThat(ids.contains(d)).isTrue();
    }

    /**
     * Random adds and look-ups against an insertion-ordered set trimmed to the capacity, over small capacities where
     * the index's probe runs wrap around its end and removals move entries back. Ids are drawn from a small pool, so
     * that many are added again and many looked up after they were forgotten, and some share their bits' XOR (and so
     * their home slot).
     */
    @Test
    void agreesWithAnInsertionOrderedSetUnderRandomAddsAndLookUps() {
        Random random = new Random(7);
        for (int capacity : new int[] {1, 2, 3, 5, 8, 13, 64, 100}) {
            RecentIds ids = new RecentIds(capacity);
            SequencedSet<UUID> model = new LinkedHashSet<>();
            List<UUID> pool = new ArrayList<>();
            for (int i = 0; i < capacity * 4; i++) {
                long hi = random.nextLong();
                pool.add(new UUID(hi, random.nextInt(4) == 0 ? hi ^ 42 : random.nextLong()));
            }
            for (int step = 0; step < 20_000; step++) {
                UUID id = pool.get(random.nextInt(pool.size()));
                if (random.nextBoolean()) {
                    ids.add(id);
                    if (model.add(id) && model.size() > capacity) {
                        model.removeFirst();
                    }
                } else {
                    assertThat(ids.contains(id))
                            .as("capacity %d, step %d", capacity, step)
                            .isEqualTo(model.contains(id));
                }
            }
            for (UUID id : pool) {
                assertThat(ids.contains(id)).isEqualTo(model.contains(id));
            }
        }
    }
}

package dev.plumber.bench;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/** A paced load: items started in ticks, each tick starting those due by then. */
final class Pacing {
    private Pacing() {}

    /**
     * Starts items {@code 0..count-1} at {@code perSecond} in ticks of {@code tick}, calling {@code start} for each:
     * the loop wakes once a tick whatever the rate, not once per item.
     */
    static void run(int count, double perSecond, Duration tick, IntConsumer start) {
        long begin = System.nanoTime();
        int started = 0;
        for (long at = begin; started < count; at += tick.toNanos()) {
            for (long wait; (wait = at - System.nanoTime()) > 0; ) {
                LockSupport.parkNanos(wait);
            }
            int due = (int) Math.min(count, (at - begin) * perSecond / 1e9 + 1);
            for (; started < due; started++) {
                start.accept(started);
            }
        }
    }
}

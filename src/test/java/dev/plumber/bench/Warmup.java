package dev.plumber.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;

/**
 * When a warm-up is over: both sides of a comparison are warmed in rounds until their JIT spends under 5 % of a core
 * compiling during a round (or {@link #LIMIT} has passed), so neither is measured while its compiler still takes a
 * share of two cores.
 */
final class Warmup {
    static final Duration LIMIT = Duration.ofSeconds(90);
    private static final double SETTLED_SHARE = 0.05;

    private Warmup() {}

    /** This JVM's compile time so far. */
    static long compileMillis() {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    /** Whether a round that compiled for {@code compiledMillis} in {@code roundNanos} ends the warm-up. */
    static boolean settled(String who, long compiledMillis, long roundNanos, long deadlineNanos) {
        double share = compiledMillis / (roundNanos / 1e6);
        System.err.printf(
                Locale.ROOT,
                "bench: %s warm-up round of %.1f s, JIT busy %.0f %% of it%n",
                who,
                roundNanos / 1e9,
                share * 100);
        return share < SETTLED_SHARE || System.nanoTime() - deadlineNanos > 0;
    }
}

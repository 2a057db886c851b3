package dev.plumber.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;

/**
 * When a warm-up is over: both sides of a comparison are warmed in rounds until their JIT spends under 5 % of a core
 * compiling in {@link #SETTLED_ROUNDS} rounds in a row (or {@link #LIMIT} has passed), so neither is measured while
 * its compiler still takes a share of two cores. One quiet round did not mean a JVM was done: compilations come in
 * bursts as methods cross the next tier's thresholds, and after a single quiet round the JVMs' compilers still took
 * 8 and 12 % of all processes' CPU in the gateway's timed and paced phases. Rounds shorter than {@link #MIN_ROUND}
 * are judged together: over a tenth of a second, one method compiled reads as a busy compiler, and the verdict is
 * noise. Use as {@code for (Warmup w = ...; w.another(); ) { one round }}.
 */
final class Warmup {
    static final Duration LIMIT = Duration.ofSeconds(90);
    private static final long MIN_ROUND = Duration.ofSeconds(1).toNanos();
    private static final double SETTLED_SHARE = 0.05;
    private static final int SETTLED_ROUNDS = 3;

    /** Compiling done so far, in milliseconds: a JVM's compile time, or its and other JVMs' compiler threads' CPU. */
    interface CompileTime {
        long millis() throws Exception;
    }

    private final String who;
    private final CompileTime compileTime;
    private final long deadline = System.nanoTime() + LIMIT.toNanos();
    private long roundStart = -1;
    private long compiledAtStart;
    private int settledRounds;

    private Warmup(String who, CompileTime compileTime) {
        this.who = who;
        this.compileTime = compileTime;
    }

    /** Rounds in another JVM, whose compile time {@code compileTime} reads. */
    static Warmup of(String who, CompileTime compileTime) {
        return new Warmup(who, compileTime);
    }

    /** Rounds in this JVM. */
    static Warmup here(String who) {
        return new Warmup(who, Warmup::compileMillis);
    }

    /** This JVM's compile time so far. */
    static long compileMillis() {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    /** Whether another round is due: before the first, then until enough rounds in a row find the JIT settled. */
    boolean another() throws Exception {
        long now = System.nanoTime();
        if (roundStart >= 0 && now - roundStart < MIN_ROUND && now - deadline < 0) {
            return true; // too short to judge: the next round counts with this one, and nothing need be read
        }
        long compiled = compileTime.millis();
        if (roundStart >= 0) {
            double share = (compiled - compiledAtStart) / ((now - roundStart) / 1e6);
            System.err.printf(
                    Locale.ROOT,
                    "bench: %s warm-up round of %.1f s, JIT busy %.0f %% of it%n",
                    who,
                    (now - roundStart) / 1e9,
                    share * 100);
            settledRounds = share < SETTLED_SHARE ? settledRounds + 1 : 0;
            if (settledRounds == SETTLED_ROUNDS || now - deadline > 0) {
                return false;
            }
        }
        roundStart = now;
        compiledAtStart = compiled;
        return true;
    }
}

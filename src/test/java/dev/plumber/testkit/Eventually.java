package dev.plumber.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls an assertion until it passes or the time is up (then rethrows its last failure). */
public final class Eventually {
    private Eventually() {}

    public static <T> T within(Duration timeout, Callable<T> assertion) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return assertion.call();
            } catch (AssertionError | Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}

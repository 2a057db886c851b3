package dev.plumber.mock;

import java.time.Duration;

/** The mock DLPs' configurable slowness. */
public final class Delays {
    private Delays() {}

    /** Sleeps for {@code wait} (nothing when zero); an interrupt ends it early and stays set. */
    public static void pause(Duration wait) {
        if (wait.isZero()) {
            return;
        }
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

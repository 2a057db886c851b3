package dev.plumber.transport;

import java.time.Duration;

/** The end of one call's time budget; every blocking step of the call gets what is left of it. */
record Deadline(long endNanos, Duration budget) {

    static Deadline after(Duration budget) {
        return new Deadline(System.nanoTime() + budget.toNanos(), budget);
    }

    /** Milliseconds left, at least 1 (0 would mean "no timeout" to a socket). */
    int remainingMillis() throws IcapTimeoutException {
        long left = endNanos - System.nanoTime();
        if (left <= 0) {
            throw new IcapTimeoutException("ICAP call took longer than " + budget.toMillis() + " ms");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000));
    }
}

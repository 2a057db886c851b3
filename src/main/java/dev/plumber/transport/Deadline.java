package dev.plumber.transport;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The end of one call's time budget; every blocking step of the call gets what is left of it. The ICAP client and the
 * InfoWatch sender both bound their calls with it.
 */
public record Deadline(long endNanos, Duration budget) {

    public static Deadline after(Duration budget) {
        return new Deadline(System.nanoTime() + budget.toNanos(), budget);
    }

    /** Milliseconds left, at least 1 (0 would mean "no timeout" to a socket). */
    int remainingMillis() throws IcapTimeoutException {
        return remainingMillis(
                () -> new IcapTimeoutException("ICAP call took longer than " + budget.toMillis() + " ms"));
    }

    /** Milliseconds left, at least 1; once none are, the exception {@code expired} makes is thrown. */
    public <E extends Exception> int remainingMillis(Supplier<E> expired) throws E {
        long left = endNanos - System.nanoTime();
        if (left <= 0) {
            throw expired.get();
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000));
    }
}

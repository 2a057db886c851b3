package dev.plumber.transport;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The end of one call's time budget; every blocking step of the call gets what is left of it. The ICAP client and the
 * InfoWatch sender both bound their calls with it.
 *
 * <p>A file's bytes going out move the end: each part of a body the DLP takes gives the call its whole budget again
 * from then ({@link #progressed()}). A call is bounded by how long it waits for its DLP — to connect, to take the next
 * part, to answer — not by the size of its file: with a fixed end, a file the DLP could not read within the budget was
 * tried again and again for ever, holding up its partition.
 */
public final class Deadline {
    private final Duration budget;
    private final long budgetNanos;
    private volatile long endNanos;

    private Deadline(Duration budget) {
        this.budget = budget;
        this.budgetNanos = budget.toNanos();
        this.endNanos = System.nanoTime() + budgetNanos;
    }

    public static Deadline after(Duration budget) {
        return new Deadline(budget);
    }

    /** The whole budget, as configured. */
    public Duration budget() {
        return budget;
    }

    /** The DLP took part of a body: the call has its whole budget again from now. */
    public void progressed() {
        endNanos = System.nanoTime() + budgetNanos;
    }

    /** Whether the end has passed. */
    public boolean passed() {
        return endNanos - System.nanoTime() <= 0;
    }

    /** Nanoseconds since the end passed; negative while it has not. */
    long overdueNanos(long nowNanos) {
        return nowNanos - endNanos;
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

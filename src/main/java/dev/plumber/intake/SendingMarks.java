package dev.plumber.intake;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SENDING statuses of DLP calls that take long. A call answered within {@code after} of getting its slot leaves
 * one status write, its outcome, rather than two; one that takes longer has its SENDING row and status record written
 * while it runs, on a virtual thread of its own. The time an event waits for a slot does not count: it is not in flight
 * yet, and under a burst a SENDING write for each waiting event only added to the load.
 *
 * <p>Every call waits the same {@code after}, so the calls in the order they started are also in the order they fall
 * due: they join one queue, and a single check walks it from the head — dropping the calls already over, starting the
 * writes of those due — and comes back when the head falls due, at most once a {@link #TICK}. A timer per call, set and
 * cancelled on a shared scheduler's locked queue, had cost 2.6 % of the gateway's CPU samples on small messages.
 */
final class SendingMarks {
    private static final Logger log = LoggerFactory.getLogger(SendingMarks.class);

    /** How late a SENDING may be written past {@code after}: the checks of the queue are at least this far apart. */
    private static final Duration TICK = Duration.ofMillis(10);

    private static final ScheduledExecutorService CHECKS = new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().name("plumber-sending-marks").daemon().factory());

    private final long afterNanos;
    private final ConcurrentLinkedQueue<Mark> started = new ConcurrentLinkedQueue<>();
    /** Whether a check of the queue is scheduled or running; cleared only by a check that found the queue empty. */
    private final AtomicBoolean checking = new AtomicBoolean();

    SendingMarks(Duration after) {
        this.afterNanos = after.toNanos();
    }

    /** A mark for one call whose SENDING status {@code write} writes (returning whether it did). */
    Mark mark(Callable<Boolean> write) {
        return new Mark(write);
    }

    private void check() {
        while (true) {
            Mark head = started.peek();
            if (head == null) {
                checking.set(false);
                // A mark added after the peek saw the flag still set and left its check to this one.
                if (started.isEmpty() || !checking.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            long due = head.startedAt + afterNanos - System.nanoTime();
            if (due > 0 && !head.claimed.get()) {
                CHECKS.schedule(this::check, Math.max(due, TICK.toNanos()), TimeUnit.NANOSECONDS);
                return;
            }
            started.poll(); // the head: only the one running check takes from the queue
            if (!head.claimed.get()) {
                Thread.startVirtualThread(head::writeUnlessOver);
            }
        }
    }

    /** One call's SENDING status: written once the call has run {@code after}, unless it is over by then. */
    final class Mark {
        private final Callable<Boolean> write;
        private final AtomicBoolean claimed = new AtomicBoolean();
        private final CompletableFuture<Boolean> written = new CompletableFuture<>();
        private long startedAt;

        private Mark(Callable<Boolean> write) {
            this.write = write;
        }

        /** The call is in flight: its SENDING status is written unless it is over within {@code after}. */
        void start() {
            startedAt = System.nanoTime(); // published to the check by the queue
            started.add(this);
            if (!checking.get() && checking.compareAndSet(false, true)) {
                CHECKS.schedule(SendingMarks.this::check, afterNanos, TimeUnit.NANOSECONDS);
            }
        }

        private void writeUnlessOver() {
            if (claimed.compareAndSet(false, true)) {
                try {
                    written.complete(write.call());
                } catch (Exception e) {
                    log.debug("SENDING status not written; the outcome will count the attempt", e);
                    written.complete(false);
                }
            }
        }

        /** Once the call is over: whether its SENDING status was written, waiting for that write if it is under way. */
        boolean settle() {
            return !claimed.compareAndSet(false, true) && written.join();
        }
    }
}

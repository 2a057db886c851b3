package dev.plumber.transport;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Aborts the connections of TLS calls that outlive their {@link Deadline}, which the socket's own timeout cannot see:
 * Java's TLS socket applies it to each read of the TCP socket beneath, so a peer that drips a record (or its handshake)
 * a few bytes at a time holds a read for as long as it likes. The calls' own checks fire first and say what ran late;
 * this is the backstop, {@link #GRACE} after the deadline.
 *
 * <p>One thread checks the watched calls every {@link #EVERY} while there are any and sleeps while there are none: a
 * watch costs its call an add to and a remove from a concurrent set, not a timer. Plain TCP calls are not watched: each
 * of their reads waits at most what is left of the deadline, and their writes that could block run on a writer the
 * reader aborts.
 */
public final class Watchdog {
    static final Duration GRACE = Duration.ofMillis(500);
    private static final Duration EVERY = Duration.ofMillis(100);

    private static final Set<Watch> WATCHED = ConcurrentHashMap.newKeySet();
    private static final Thread CHECKS =
            Thread.ofPlatform().name("plumber-deadline-watchdog").daemon().start(Watchdog::check);
    private static volatile boolean sleeping;

    private Watchdog() {}

    /**
     * Watches a call until the returned watch is closed; once its deadline is {@link #GRACE} past, {@code abort} runs
     * on a thread of its own (closing a TLS socket can wait on a blocked write) and {@link Watch#fired()} turns true.
     */
    public static Watch watch(Deadline deadline, Runnable abort) {
        Watch watch = new Watch(deadline, abort);
        WATCHED.add(watch);
        if (sleeping) {
            LockSupport.unpark(CHECKS);
        }
        return watch;
    }

    private static void check() {
        long graceNanos = GRACE.toNanos();
        while (true) {
            if (WATCHED.isEmpty()) {
                sleeping = true;
                // A watch added after this look sees the flag and unparks: the park returns at once.
                if (WATCHED.isEmpty()) {
                    LockSupport.park();
                }
                sleeping = false;
                continue;
            }
            LockSupport.parkNanos(EVERY.toNanos());
            long now = System.nanoTime();
            for (Watch watch : WATCHED) {
                if (watch.deadline.overdueNanos(now) > graceNanos) {
                    watch.fire();
                }
            }
        }
    }

    /** One watched call; closing it ends the watch. */
    public static final class Watch implements AutoCloseable {
        private final Deadline deadline;
        private final Runnable abort;
        private final AtomicBoolean fired = new AtomicBoolean();

        private Watch(Deadline deadline, Runnable abort) {
            this.deadline = deadline;
            this.abort = abort;
        }

        /** Whether the watchdog aborted the call: whatever the call saw then (a closed socket) was its deadline. */
        public boolean fired() {
            return fired.get();
        }

        private void fire() {
            WATCHED.remove(this);
            if (fired.compareAndSet(false, true)) {
                Thread.ofVirtual().name("plumber-deadline-abort").start(abort);
            }
        }

        @Override
        public void close() {
            WATCHED.remove(this);
        }
    }
}

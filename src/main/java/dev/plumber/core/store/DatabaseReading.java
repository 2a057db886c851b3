package dev.plumber.core.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A value read from the database at most once per {@code freshness} however often it is asked for, and waited for at
 * most {@code patience}. A Prometheus scrape or a readiness probe then answers in time even while the connection pool
 * waits out its connection timeout (30 s) for a database that went away, and the meters of one scrape, or several
 * scrapers, share one query.
 */
public final class DatabaseReading<T> {
    private final Read<T> read;
    private final Clock clock;
    private final Duration freshness;
    private final Duration patience;

    private final Object lock = new Object();
    private Outcome<T> last;
    private Instant lastAt;
    /** The query under way, if any: callers that come while it runs wait for it rather than start another. */
    private CompletableFuture<Outcome<T>> pending;

    public DatabaseReading(Read<T> read, Clock clock, Duration freshness, Duration patience) {
        this.read = read;
        this.clock = clock;
        this.freshness = freshness;
        this.patience = patience;
    }

    /** What a reading gave: its value, or (value null) one sentence on why there is none. */
    public record Outcome<T>(T value, String problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    /** The last outcome while it is fresh; else a new one, or why none came within the patience. */
    public Outcome<T> get() {
        CompletableFuture<Outcome<T>> reading;
        synchronized (lock) {
            if (last != null && clock.instant().isBefore(lastAt.plus(freshness))) {
                return last;
            }
            if (pending == null) {
                pending = start();
            }
            reading = pending;
        }
        try {
            return reading.get(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new Outcome<>(null, "the database did not answer within " + patience.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome<>(null, "interrupted while waiting for the database");
        } catch (ExecutionException e) {
            throw new IllegalStateException("a reading always completes with an outcome", e);
        }
    }

    private CompletableFuture<Outcome<T>> start() {
        CompletableFuture<Outcome<T>> future = new CompletableFuture<>();
        Thread.ofVirtual().name("core-database-reading").start(() -> {
            Outcome<T> outcome = new Outcome<>(null, "the database reading ended unexpectedly");
            try {
                outcome = new Outcome<>(read.read(), null);
            } catch (Exception e) {
                outcome = new Outcome<>(null, "the database failed the query: " + e.getMessage());
            } finally {
                synchronized (lock) {
                    last = outcome;
                    lastAt = clock.instant();
                    pending = null;
                }
                future.complete(outcome);
            }
        });
        return future;
    }

    /** The query, on a connection of its own. */
    @FunctionalInterface
    public interface Read<T> {
        T read() throws Exception;
    }
}

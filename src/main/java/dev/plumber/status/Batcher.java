package dev.plumber.status;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Many callers, each waiting for its own result or chaining what follows to it, served by a few threads that take every
 * item waiting (up to {@value #MAX_BATCH}) and apply them as one batch — one statement or transaction for a thousand
 * events rather than a thousand. A batch that fails fails every item in it — unless the database refused something in
 * its data ({@link StatusStore#refusal}): then each item is applied alone, so that only the one at fault fails.
 *
 * @param <I> what a caller hands over
 * @param <O> what it gets back
 */
final class Batcher<I, O> implements AutoCloseable {
    static final int MAX_BATCH = 512;

    /** Does one batch: the results of {@code inputs}, in their order. */
    @FunctionalInterface
    interface Apply<I, O> {
        List<O> apply(List<I> inputs) throws SQLException;
    }

    /**
     * Told of every batch done, failed ones included: how many items, how long the oldest of them waited from being
     * handed over to its batch being started, and how long {@link Apply} took.
     */
    @FunctionalInterface
    interface Observer {
        void applied(int items, long queuedNanos, long nanos);
    }

    private record Item<I, O>(I input, long handedOver, CompletableFuture<O> result) {}

    private final BlockingQueue<Item<I, O>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Apply<I, O> apply;
    private final Observer observer;
    private final long gatherNanos;
    private final int gatherBelow;
    private volatile boolean open = true;

    /**
     * {@code threads} virtual threads named {@code name-<n>}; a batch smaller than {@code gatherBelow} waits {@code
     * gatherNanos} for more items to race in (PostgreSQL's {@code commit_delay}, on our side of the connection).
     */
    Batcher(String name, int threads, int gatherBelow, long gatherNanos, Apply<I, O> apply, Observer observer) {
        this.apply = apply;
        this.observer = observer;
        this.gatherBelow = gatherBelow;
        this.gatherNanos = gatherNanos;
        for (int i = 0; i < threads; i++) {
            this.threads.add(Thread.ofVirtual().name(name + "-" + i).start(this::loop));
        }
    }

    /** Hands {@code input} over and waits for its batch. */
    O submit(I input) throws SQLException {
        try {
            return handOver(input).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the database", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new SQLException("status batch failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Hands {@code input} over without waiting: the result completes with its batch, failed with the batch's {@link
     * SQLException} or {@link RuntimeException}. What is chained to it runs on the batch's thread, before the thread
     * takes its next batch, so it must be brief and must not block.
     */
    CompletableFuture<O> handOver(I input) {
        Item<I, O> item = new Item<>(input, System.nanoTime(), new CompletableFuture<>());
        synchronized (this) {
            if (!open) {
                throw new IllegalStateException("the status store is closed");
            }
            queue.add(item);
        }
        return item.result();
    }

    /** Items handed over and not yet taken into a batch. */
    int waiting() {
        return queue.size();
    }

    private void loop() {
        List<Item<I, O>> batch = new ArrayList<>(MAX_BATCH);
        while (open || !queue.isEmpty()) {
            try {
                Item<I, O> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            if (batch.size() < gatherBelow) {
                LockSupport.parkNanos(gatherNanos);
                queue.drainTo(batch, MAX_BATCH - batch.size());
            }
            // The queue is first in, first out: a batch's first item is its oldest.
            Exception failure = applyAndComplete(batch, batch.getFirst().handedOver());
            if (failure != null
                    && batch.size() > 1
                    && StatusStore.refusal(failure).isPresent()) {
                // The database refused something in the data, and would again: each item alone, so that only the one
                // at fault fails.
                for (Item<I, O> item : batch) {
                    Exception own = applyAndComplete(List.of(item), item.handedOver());
                    if (own != null) {
                        item.result().completeExceptionally(own);
                    }
                }
            } else if (failure != null) {
                batch.forEach(item -> item.result().completeExceptionally(failure));
            }
            batch.clear();
        }
    }

    /** Applies {@code items} and completes each with its result; returns the failure instead, completing none. */
    private Exception applyAndComplete(List<Item<I, O>> items, long oldest) {
        long start = System.nanoTime();
        List<O> results = null;
        Exception failure = null;
        try {
            results = apply.apply(items.stream().map(Item::input).toList());
        } catch (SQLException | RuntimeException e) {
            failure = e;
        }
        observer.applied(items.size(), start - oldest, System.nanoTime() - start);
        if (failure == null) {
            for (int i = 0; i < items.size(); i++) {
                items.get(i).result().complete(results.get(i));
            }
        }
        return failure;
    }

    /** Applies what is queued (bounded), then stops; items still queued after that fail. */
    @Override
    public void close() {
        synchronized (this) {
            open = false;
        }
        try {
            for (Thread t : threads) {
                t.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Item<I, O> item; (item = queue.poll()) != null; ) {
            item.result().completeExceptionally(new SQLException("the status store closed before this was done"));
        }
    }
}

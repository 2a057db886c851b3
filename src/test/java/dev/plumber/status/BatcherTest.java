package dev.plumber.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.testkit.Eventually;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class BatcherTest {
    private static final Duration HELD = Duration.ofMillis(200);

    private record Told(int items, long queuedNanos, long nanos) {}

    private final List<Told> told = Collections.synchronizedList(new ArrayList<>());

    @Test
    void aBatchHeldUpBehindAnotherIsToldHowLongItsOldestItemWaitedForIt() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Batcher<String, String> batcher = heldAtFirst(firstStarted, release, BatcherTest::upper);
                ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> first = callers.submit(() -> batcher.submit("first"));
            firstStarted.await();
            Future<String> second = callers.submit(() -> batcher.submit("second"));
            Eventually.within(
                    Duration.ofSeconds(10), () -> assertThat(batcher.waiting()).isEqualTo(1));
            Thread.sleep(HELD); // from the second's hand-over on, so it waits at least this long
            release.countDown();

            assertThat(first.get()).isEqualTo("FIRST");
            assertThat(second.get()).isEqualTo("SECOND");
        }
        assertThat(told).hasSize(2);
        Told held = told.getFirst();
        Told waited = told.get(1);
        assertThat(held.items()).isEqualTo(1);
        assertThat(held.nanos()).isGreaterThanOrEqualTo(HELD.toNanos());
        assertThat(waited.items()).isEqualTo(1);
        assertThat(waited.queuedNanos()).isGreaterThanOrEqualTo(HELD.toNanos());
    }

    /** Two callers queued behind a batch under way go in the next batch together, which fails both. */
    @Test
    void aFailedBatchIsToldOnceAndFailsEveryCallerInIt() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Batcher<String, String> batcher = heldAtFirst(firstStarted, release, inputs -> {
                    if (!inputs.contains("first")) {
                        throw new SQLException("the database went away");
                    }
                    return upper(inputs);
                });
                ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> first = callers.submit(() -> batcher.submit("first"));
            firstStarted.await();
            List<Future<String>> calls = new ArrayList<>();
            for (String input : List.of("a", "b")) {
                calls.add(callers.submit(() -> batcher.submit(input)));
            }
            Eventually.within(
                    Duration.ofSeconds(20), () -> assertThat(batcher.waiting()).isEqualTo(2));
            release.countDown();

            assertThat(first.get()).isEqualTo("FIRST");
            for (Future<String> call : calls) {
                assertThatThrownBy(call::get)
                        .cause()
                        .isInstanceOf(SQLException.class)
                        .hasMessage("the database went away");
            }
        }
        assertThat(told).extracting(Told::items).containsExactly(1, 2);
    }

    /**
     * A batch the database refused for something in its data (SQLState class 54: an index entry too large) is applied
     * again item by item: the item at fault fails alone, the others are written; a refusal of one item is not retried.
     */
    @Test
    void aBatchRefusedForItsDataIsAppliedItemByItemAndFailsOnlyTheItemAtFault() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Batcher<String, String> batcher = heldAtFirst(firstStarted, release, inputs -> {
                    if (inputs.contains("too large")) {
                        throw new SQLException("index row requires 9624 bytes", "54000");
                    }
                    return upper(inputs);
                });
                ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> first = callers.submit(() -> batcher.submit("first"));
            firstStarted.await();
            List<Future<String>> calls = new ArrayList<>();
            for (String input : List.of("a", "too large", "b")) {
                calls.add(callers.submit(() -> batcher.submit(input)));
                Eventually.within(Duration.ofSeconds(20), () -> assertThat(batcher.waiting())
                        .isEqualTo(calls.size()));
            }
            release.countDown();

            assertThat(first.get()).isEqualTo("FIRST");
            assertThat(calls.getFirst().get()).isEqualTo("A");
            assertThatThrownBy(calls.get(1)::get)
                    .cause()
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(StatusStore.refusal(e)).isPresent());
            assertThat(calls.get(2).get()).isEqualTo("B");
        }
        assertThat(told).extracting(Told::items).containsExactly(1, 3, 1, 1, 1);
    }

    /** What a caller chains to an item handed over runs on the batch's thread, before that thread's next batch. */
    @Test
    void whatIsChainedToAnItemHandedOverRunsOnTheBatchThreadBeforeItsNextBatch() throws Exception {
        List<String> happened = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch chainedTo = new CountDownLatch(1);
        try (Batcher<String, String> batcher = new Batcher<>(
                "test-batcher",
                1,
                0,
                0,
                inputs -> {
                    await(chainedTo); // the first batch starts once something is chained to its item
                    happened.add("batch " + inputs);
                    if (inputs.contains("bad")) {
                        throw new SQLException("the database went away");
                    }
                    return inputs.stream().map(String::toUpperCase).toList();
                },
                (items, queued, nanos) -> {})) {
            CompletableFuture<String> first = batcher.handOver("first");
            CompletableFuture<String> chained = first.thenApply(result -> {
                happened.add(
                        "chained " + result + " on " + Thread.currentThread().getName());
                return result;
            });
            chainedTo.countDown();
            assertThat(chained.get()).isEqualTo("FIRST");
            CompletableFuture<String> bad = batcher.handOver("bad");
            Throwable failure = bad.handle((result, e) -> e).get();
            assertThat(failure).isInstanceOf(SQLException.class).hasMessage("the database went away");
            assertThat(batcher.submit("last")).isEqualTo("LAST");
        }
        assertThat(happened)
                .containsExactly("batch [first]", "chained FIRST on test-batcher-0", "batch [bad]", "batch [last]");
    }

    /**
     * A batcher of one thread, told to {@link #told}, that holds the batch with "first" in it until {@code release}, so
     * that the items handed over meanwhile queue up behind it; each batch is then applied by {@code apply}.
     */
    private Batcher<String, String> heldAtFirst(
            CountDownLatch firstStarted, CountDownLatch release, Batcher.Apply<String, String> apply) {
        return new Batcher<>(
                "test-batcher",
                1,
                0,
                0,
                inputs -> {
                    if (inputs.contains("first")) {
                        firstStarted.countDown();
                        await(release);
                    }
                    return apply.apply(inputs);
                },
                (items, queued, nanos) -> told.add(new Told(items, queued, nanos)));
    }

    private static List<String> upper(List<String> inputs) {
        return inputs.stream().map(String::toUpperCase).toList();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

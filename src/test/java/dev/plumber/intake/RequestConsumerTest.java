package dev.plumber.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.intake.EventProcessor.Result;
import dev.plumber.metrics.Meters;
import dev.plumber.status.StatusStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RequestConsumerTest {
    private static final String TOPIC = "dlp.requests";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    /**
     * A poll with nothing to return waits a little, as a broker's fetch does. MockConsumer's returns at once, holding
     * its lock, so the intake's loop spun on it and this test's own look at offsets and positions (the same lock)
     * could wait behind it on a busy machine.
     */
    private final MockConsumer<byte[], byte[]> kafka = new MockConsumer<>("earliest") {
        @Override
        public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
            if (records.isEmpty()) {
                try {
                    Thread.sleep(Math.min(timeout.toMillis(), 5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return records;
        }
    };

    private RequestConsumer consumer;
    private Thread poller;

    /** A handler whose result is known when it returns. */
    @FunctionalInterface
    private interface Blocking {
        Result process(ConsumerRecord<byte[], byte[]> record, Duration retryDelay, boolean seenBefore);
    }

    private void start(Blocking handler) throws InterruptedException {
        start(handler, RequestConsumer.Backoffs.NONE);
    }

    private void start(Blocking handler, RequestConsumer.Backoffs backoffs) throws InterruptedException {
        startHandler(
                (record, delay, seenBefore) ->
                        CompletableFuture.completedFuture(handler.process(record, delay, seenBefore)),
                backoffs);
    }

    private void startHandler(RecordHandler handler, RequestConsumer.Backoffs backoffs) throws InterruptedException {
        kafka.schedulePollTask(() -> {
            kafka.rebalance(List.of(P0, P1));
            kafka.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        });
        consumer = new RequestConsumer(
                kafka,
                TOPIC,
                handler,
                new Meters(new SimpleMeterRegistry()),
                new RequestConsumer.Limits(100, 1 << 20, 60),
                backoffs,
                Clock.systemUTC());
        poller = Thread.ofPlatform().name("test-intake").start(consumer);
        await(() -> kafka.assignment().size() == 2);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (consumer != null) {
            consumer.close();
            poller.join(10_000);
        }
    }

    private void add(TopicPartition tp, long offset, String key) {
        kafka.addRecord(new ConsumerRecord<>(
                tp.topic(),
                tp.partition(),
                offset,
                key.getBytes(StandardCharsets.UTF_8),
                ("{\"offset\":" + offset + "}").getBytes(StandardCharsets.UTF_8)));
    }

    private long committed(TopicPartition tp) {
        OffsetAndMetadata o = kafka.committed(Set.of(tp)).get(tp);
        return o == null ? -1 : o.offset();
    }

    /** Waits for {@code condition}; on a timeout, says where the consumer stood and what its loop was doing. */
    private void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                StringBuilder state = new StringBuilder("condition not met in time; ");
                for (TopicPartition tp : List.of(P0, P1)) {
                    state.append(tp).append(" committed ").append(committed(tp)).append(", position ");
                    try {
                        state.append(kafka.position(tp));
                    } catch (RuntimeException e) {
                        state.append("none (").append(e.getMessage()).append(')');
                    }
                    state.append("; ");
                }
                state.append("the intake's loop at:");
                for (StackTraceElement frame : poller.getStackTrace()) {
                    state.append("\n\tat ").append(frame);
                }
                throw new AssertionError(state.toString());
            }
            Thread.sleep(10);
        }
    }

    @Test
    void keepsOrderPerKeyRunsKeysInParallelAndCommitsEverything() throws Exception {
        Map<String, List<Long>> seen = new ConcurrentHashMap<>();
        Set<String> running = ConcurrentHashMap.newKeySet();
        AtomicBoolean overlapPerKey = new AtomicBoolean();
        AtomicBoolean parallel = new AtomicBoolean();
        start((record, delay, seenBefore) -> {
            String key = new String(record.key(), StandardCharsets.UTF_8) + "@" + record.partition();
            if (!running.add(key)) {
                overlapPerKey.set(true);
            }
            if (running.size() > 1) {
                parallel.set(true);
            }
            sleepQuietly(ThreadLocalRandom.current().nextInt(3));
            seen.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(record.offset());
            running.remove(key);
            return Result.DONE;
        });
        for (long offset = 0; offset < 500; offset++) {
            add(P0, offset, "chat-" + offset % 7);
            add(P1, offset, "chat-" + offset % 5);
        }

        await(() -> committed(P0) == 500 && committed(P1) == 500);

        assertThat(overlapPerKey).as("two records of one key ran at once").isFalse();
        assertThat(parallel).as("keys ran in parallel").isTrue();
        assertThat(seen.values().stream().mapToInt(List::size).sum()).isEqualTo(1000);
        seen.values().forEach(offsets -> {
            List<Long> sorted = new ArrayList<>(offsets);
            Collections.sort(sorted);
            assertThat(offsets).isEqualTo(sorted);
        });
    }

    @Test
    void aRecordIsDoneWhenItsResultCompletesOnAnotherThreadAndOnlyThenRunsTheNextOfItsKey() throws Exception {
        Map<Long, CompletableFuture<Result>> results = new ConcurrentHashMap<>();
        startHandler(
                (record, delay, seenBefore) -> results.computeIfAbsent(record.offset(), o -> new CompletableFuture<>()),
                RequestConsumer.Backoffs.NONE);
        add(P0, 0, "chat");
        add(P0, 1, "chat");
        add(P0, 2, "other");
        await(() -> results.containsKey(0L) && results.containsKey(2L));
        Thread.sleep(300);
        assertThat(results)
                .as("the next record of the key waits for the result")
                .doesNotContainKey(1L);
        assertThat(committed(P0)).isLessThanOrEqualTo(0);

        // As the status flusher completes them: on a thread of its own, the record's worker long gone.
        Thread.ofPlatform().start(() -> results.get(0L).complete(Result.DONE)).join();
        await(() -> results.containsKey(1L) && committed(P0) == 1);
        Thread.ofPlatform()
                .start(() -> results.get(1L).completeExceptionally(new IllegalStateException("failed flush")))
                .join();
        results.get(2L).complete(Result.DONE);
        // A result that fails is a record to try again: the partition commits up to it and rewinds.
        await(() -> kafka.position(P0) == 1);
        assertThat(committed(P0)).isEqualTo(1);
    }

    @Test
    void aSlowKeyHoldsTheCommitButNotTheOtherKeysOfItsPartition() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Map<Long, Integer> runs = new ConcurrentHashMap<>();
        start((record, delay, seenBefore) -> {
            runs.merge(record.offset(), 1, Integer::sum);
            if (record.offset() == 0) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Result.DONE;
        });
        add(P0, 0, "slow");
        await(() -> runs.containsKey(0L));
        // Fetched after the slow record started: the partition is not paused behind it.
        for (long offset = 1; offset <= 50; offset++) {
            add(P0, offset, "fast-" + offset % 3);
        }
        await(() -> runs.size() == 51);
        Thread.sleep(300);
        assertThat(committed(P0)).isLessThanOrEqualTo(0);

        release.countDown();
        await(() -> committed(P0) == 51);
        assertThat(runs.values()).containsOnly(1);
    }

    @Test
    void aRecordToRetryRewindsItsPartitionAndNothingAfterItOfTheSameKeyRunsFirst() throws Exception {
        List<Long> order = new CopyOnWriteArrayList<>();
        Map<Long, Integer> attempts = new HashMap<>();
        start((record, delay, seenBefore) -> {
            int attempt;
            synchronized (attempts) {
                attempt = attempts.merge(record.offset(), 1, Integer::sum);
            }
            if (record.offset() == 5 && attempt == 1) {
                return Result.RETRY_LATER;
            }
            order.add(record.offset());
            return Result.DONE;
        });
        // All twenty in one poll: were some added after the rewind, MockConsumer (unlike a broker) would return them
        // without the record before them, which it has forgotten.
        kafka.schedulePollTask(() -> {
            for (long offset = 0; offset < 20; offset++) {
                add(P0, offset, "one-chat");
            }
        });
        // Committed up to the record to retry, rewound to it; MockConsumer forgets what it returned, so the test
        // puts back what the broker would fetch again from there.
        await(() -> committed(P0) == 5 && kafka.position(P0) == 5);
        for (long offset = 5; offset < 20; offset++) {
            add(P0, offset, "one-chat");
        }

        await(() -> committed(P0) == 20);

        List<Long> expected = new ArrayList<>();
        for (long offset = 0; offset < 20; offset++) {
            expected.add(offset);
        }
        assertThat(order).isEqualTo(expected);
        synchronized (attempts) {
            assertThat(attempts.get(5L)).isEqualTo(2);
        }
    }

    @Test
    void aPartitionArrivingFromAnotherOwnerKeepsItsBackOff() throws Exception {
        Instant until = Instant.now().plusMillis(1_500);
        Map<Long, Instant> ran = new ConcurrentHashMap<>();
        start(
                (record, delay, seenBefore) -> {
                    ran.put(record.partition() * 1000L + record.offset(), Instant.now());
                    return Result.DONE;
                },
                partitions -> Map.of(0, new StatusStore.Backoff(until, 3)));
        add(P0, 0, "waiting");
        add(P1, 0, "free");

        await(() -> ran.size() == 2);
        assertThat(ran.get(1000L)).isBefore(until);
        assertThat(ran.get(0L)).isAfterOrEqualTo(until);
    }

    @Test
    void aRecordIsSeenBeforeIfItWasThereAtAssignmentOrWasHandedOutBeforeARewind() throws Exception {
        kafka.updateEndOffsets(Map.of(P0, 3L, P1, 0L));
        Map<Long, List<Boolean>> runs = new ConcurrentHashMap<>();
        CountDownLatch othersRan = new CountDownLatch(1);
        start((record, delay, seenBefore) -> {
            List<Boolean> of = runs.computeIfAbsent(record.offset(), o -> new CopyOnWriteArrayList<>());
            of.add(seenBefore);
            if (record.offset() == 6 && of.size() == 1) {
                try {
                    othersRan.await(); // the records after it, of other keys, are handed out first
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Result.RETRY_LATER;
            }
            return Result.DONE;
        });
        kafka.schedulePollTask(() -> {
            for (long offset = 0; offset < 10; offset++) {
                add(P0, offset, "chat-" + offset);
            }
        });
        await(() -> runs.size() == 10);
        othersRan.countDown();
        await(() -> committed(P0) == 6 && kafka.position(P0) == 6);
        for (long offset = 6; offset < 10; offset++) {
            add(P0, offset, "chat-" + offset);
        }
        await(() -> committed(P0) == 10);
        add(P0, 10, "chat-10");
        await(() -> committed(P0) == 11);

        // There when the partition was assigned: a previous owner may have handed them out.
        assertThat(runs.get(0L)).containsExactly(true);
        assertThat(runs.get(2L)).containsExactly(true);
        assertThat(runs.get(3L)).containsExactly(false);
        // Fetched again after the rewind: handed out before.
        assertThat(runs.get(6L)).containsExactly(false, true);
        assertThat(runs.get(7L)).containsExactly(false, true);
        assertThat(runs.get(10L)).containsExactly(false);
    }

    @Test
    void backOffDoublesAndIsCapped() {
        assertThat(RequestConsumer.backoff(0)).isEqualTo(Duration.ofMillis(500));
        assertThat(RequestConsumer.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(RequestConsumer.backoff(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(RequestConsumer.backoff(50)).isEqualTo(Duration.ofSeconds(30));
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

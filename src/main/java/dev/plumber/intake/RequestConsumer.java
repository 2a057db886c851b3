package dev.plumber.intake;

import dev.plumber.intake.EventProcessor.Result;
import dev.plumber.metrics.Meters;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop. It never calls the DLP itself: each polled batch is processed on virtual threads (records of one key
 * in order, keys in parallel) while the loop keeps polling, so the consumer stays in its group however slow the DLP
 * is. A partition is paused while one of its batches is in flight or while it backs off, and every partition is
 * paused while the events (or bytes) in flight exceed their bound. Once a batch is done, each partition commits up to
 * its first record that is not yet terminal; a partition with such a record is rewound to it and backs off (0.5 s
 * doubling to 30 s) — that back-off is how a long DLP outage is ridden out without sleeping threads.
 */
public final class RequestConsumer implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestConsumer.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);
    private static final Duration DRAIN_ON_REVOKE = Duration.ofSeconds(30);

    /** Bounds on the work in flight: events and the bytes of their values. */
    public record Limits(int maxEvents, long maxBytes) {
        public static final Limits DEFAULT = new Limits(2_000, 64L << 20);
    }

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final EventProcessor processor;
    private final Meters meters;
    private final Limits limits;
    private final Clock clock;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    /** Batches in flight cover disjoint partitions: a partition is paused while one of its batches runs. */
    private final List<Batch> inFlight = new ArrayList<>();

    private final Map<TopicPartition, Instant> resumeAt = new HashMap<>();
    private final Map<TopicPartition, Integer> failures = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile int eventsInFlight;

    public RequestConsumer(
            Consumer<byte[], byte[]> consumer,
            String topic,
            EventProcessor processor,
            Meters meters,
            Limits limits,
            Clock clock) {
        this.consumer = consumer;
        this.topic = topic;
        this.processor = processor;
        this.meters = meters;
        this.limits = limits;
        this.clock = clock;
        meters.inFlight(() -> eventsInFlight);
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(topic), new Rebalance());
        try {
            while (running) {
                boolean waitForBatch = pauseBusyPartitions() && !inFlight.isEmpty();
                if (waitForBatch) {
                    awaitAnyBatch();
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(waitForBatch ? Duration.ZERO : POLL);
                if (!records.isEmpty()) {
                    inFlight.add(new Batch(records));
                }
                for (var it = inFlight.iterator(); it.hasNext(); ) {
                    Batch batch = it.next();
                    if (batch.done.isDone()) {
                        it.remove();
                        finish(batch);
                    }
                }
                eventsInFlight = inFlight.stream().mapToInt(b -> b.events).sum();
            }
        } catch (WakeupException e) {
            if (running) {
                log.error("the Kafka intake stopped: woken up while running", e);
                throw e;
            }
        } catch (RuntimeException | Error e) {
            log.error("the Kafka intake stopped; the gateway is no longer ready", e);
            throw e;
        } finally {
            drainAndCommit(consumer.assignment());
            consumer.close();
            workers.shutdown();
        }
    }

    /**
     * Pauses partitions with a batch in flight or a back-off running — all of them while over the bounds. Returns
     * whether every assigned partition is paused (nothing to fetch).
     */
    private boolean pauseBusyPartitions() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return false;
        }
        Instant now = clock.instant();
        resumeAt.entrySet().removeIf(e -> !assigned.contains(e.getKey()) || !now.isBefore(e.getValue()));
        int events = 0;
        long bytes = 0;
        Set<TopicPartition> busy = new HashSet<>(resumeAt.keySet());
        for (Batch batch : inFlight) {
            busy.addAll(batch.byPartition.keySet());
            events += batch.events;
            bytes += batch.bytes;
        }
        boolean full = events >= limits.maxEvents() || bytes >= limits.maxBytes();
        Set<TopicPartition> pause = new HashSet<>(full ? assigned : busy);
        pause.retainAll(assigned);
        Set<TopicPartition> resume = new HashSet<>(assigned);
        resume.removeAll(pause);
        try {
            consumer.pause(pause);
            consumer.resume(resume);
        } catch (IllegalStateException e) {
            // The consumer's background thread changed the assignment since we read it (a broker restart, a
            // rebalance); the next poll runs the rebalance callbacks and the next round pauses what is assigned then.
            log.info("assignment changed while pausing partitions: {}", e.getMessage());
            return false;
        }
        return resume.isEmpty();
    }

    /**
     * With every partition paused there is nothing to fetch: wait for the first batch to finish (at most one poll
     * interval) rather than in {@code poll}, which would notice a finished batch only when its timeout ran out — and
     * which, with the consumer group protocol, spins on the CPU while every partition is paused.
     */
    private void awaitAnyBatch() {
        CompletableFuture<?>[] batches = inFlight.stream().map(b -> b.done).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.anyOf(batches).get(POLL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Finished or not, the loop looks at every batch next.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One polled batch in flight; {@code results} is filled by the workers. */
    private final class Batch {
        final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new LinkedHashMap<>();
        final Map<ConsumerRecord<byte[], byte[]>, Result> results = new ConcurrentHashMap<>();
        final CompletableFuture<Void> done;
        final int events;
        final long bytes;

        Batch(ConsumerRecords<byte[], byte[]> records) {
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byKey = new LinkedHashMap<>();
            long size = 0;
            for (TopicPartition tp : records.partitions()) {
                List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
                byPartition.put(tp, list);
                for (ConsumerRecord<byte[], byte[]> r : list) {
                    size += Math.max(0, r.serializedValueSize()) + Math.max(0, r.serializedKeySize());
                    String key = tp + "/" + (r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8));
                    byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
                }
            }
            events = records.count();
            bytes = size;
            List<CompletableFuture<Void>> groups = new ArrayList<>();
            for (List<ConsumerRecord<byte[], byte[]>> group : byKey.values()) {
                groups.add(CompletableFuture.runAsync(() -> processInOrder(group), workers));
            }
            done = CompletableFuture.allOf(groups.toArray(CompletableFuture[]::new));
        }

        /** Records of one key, in offset order; after the first that must wait, the rest of its key waits too. */
        private void processInOrder(List<ConsumerRecord<byte[], byte[]>> group) {
            for (ConsumerRecord<byte[], byte[]> r : group) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                Result result = processor.process(r, backoff(failures.getOrDefault(tp, 0)));
                results.put(r, result);
                if (result == Result.RETRY_LATER) {
                    return;
                }
            }
        }
    }

    /** Commits each partition up to its first undecided record; rewinds and backs off where one is left. */
    private void finish(Batch batch) {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        for (Map.Entry<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> e : batch.byPartition.entrySet()) {
            TopicPartition tp = e.getKey();
            if (!assigned.contains(tp)) {
                continue; // lost while in flight: never commit for it
            }
            long next = -1;
            for (ConsumerRecord<byte[], byte[]> r : e.getValue()) {
                if (batch.results.get(r) != Result.DONE) {
                    next = r.offset();
                    break;
                }
            }
            if (next < 0) {
                commits.put(tp, new OffsetAndMetadata(e.getValue().getLast().offset() + 1));
                failures.remove(tp);
            } else {
                commits.put(tp, new OffsetAndMetadata(next));
                try {
                    consumer.seek(tp, next);
                } catch (IllegalStateException revoked) {
                    // Revoked since we looked: its new owner starts at the committed offset, this same one.
                    continue;
                }
                int n = failures.merge(tp, 1, Integer::sum);
                resumeAt.put(tp, clock.instant().plus(backoff(n)));
            }
        }
        if (commits.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(commits);
            meters.commit(true);
        } catch (RuntimeException e) {
            // Not fatal: the events are decided and durable, so a re-delivery finds them terminal.
            meters.commit(false);
            log.warn("offset commit failed; the events will be re-delivered and found decided: {}", e.toString());
        }
    }

    static Duration backoff(int failures) {
        if (failures <= 0) {
            return FIRST_RETRY;
        }
        long millis = FIRST_RETRY.toMillis() << Math.min(failures, 10);
        return Duration.ofMillis(Math.min(millis, MAX_RETRY.toMillis()));
    }

    /** Waits (bounded) for the batches touching {@code partitions}, then commits what they finished. */
    private void drainAndCommit(Collection<TopicPartition> partitions) {
        long deadline = System.nanoTime() + DRAIN_ON_REVOKE.toNanos();
        for (var it = inFlight.iterator(); it.hasNext(); ) {
            Batch batch = it.next();
            if (Collections.disjoint(batch.byPartition.keySet(), partitions)) {
                continue;
            }
            it.remove();
            try {
                batch.done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                finish(batch);
            } catch (TimeoutException e) {
                log.warn("in-flight events not finished within {}; they will be re-delivered", DRAIN_ON_REVOKE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log.warn("draining in-flight events failed: {}", e.toString());
            }
        }
    }

    /** Revoked partitions are drained and committed before they go; lost ones are never committed. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            drainAndCommit(partitions);
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // Work resumes at the committed offset; the next poll pauses what needs pausing.
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            Set<TopicPartition> lost = new HashSet<>(partitions);
            inFlight.forEach(batch -> batch.byPartition.keySet().removeIf(lost::contains));
            forget(partitions);
        }

        private void forget(Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> {
                resumeAt.remove(tp);
                failures.remove(tp);
            });
        }
    }

    /** Stops the loop: in-flight work is drained (bounded) and committed before the consumer leaves its group. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}

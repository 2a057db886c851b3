package dev.plumber.intake;

import dev.plumber.intake.EventProcessor.Result;
import dev.plumber.metrics.Meters;
import dev.plumber.status.StatusStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * The poll loop. It never calls the DLP itself: every polled record is handed to a virtual thread, chained behind the
 * previous record of its key (order per key, keys in parallel), and the loop goes on polling, so the consumer stays
 * in its group however slow the DLP is and a partition keeps fetching while its earlier records are in flight.
 *
 * <p>Each partition commits the highest offset below which every record is terminal and durable. When a record must
 * be tried again later, its partition stops taking work, lets what is in flight finish, commits up to that record,
 * rewinds to it and backs off (0.5 s doubling to 30 s) before fetching again — that back-off is how a long DLP outage
 * is ridden out without sleeping threads. Partitions are paused while they back off or hold their share of the work
 * in flight, and all of them while the events (or bytes) in flight exceed their bound. A partition that arrives from
 * another instance keeps the back-off that instance had started (read from the status store).
 */
public final class RequestConsumer implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestConsumer.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration COMMIT_EVERY = Duration.ofMillis(100);
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);
    private static final Duration DRAIN_ON_REVOKE = Duration.ofSeconds(30);
    /** Bounds the look at the partitions' ends in a rebalance; without it every record of theirs is checked. */
    private static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(5);

    private static final CompletableFuture<Void> NOTHING_BEFORE = CompletableFuture.completedFuture(null);

    /** Bounds on the work in flight: events and the bytes of their values, in all and per partition. */
    public record Limits(int maxEvents, long maxBytes, int maxEventsPerPartition) {
        /**
         * Four events for each of the gateway's 64 DLP call slots, half of them for one partition: more only wait for
         * a slot, their virtual threads' stacks and their values on the heap, and are sent again after a crash. Against
         * 2,000 (1,000 a partition), four pairs of small-message benchmark runs: the same throughput and CPU per event,
         * peak heap 84–97 MiB instead of 105–121 (76 and 83 in two more runs, with 128 a partition).
         */
        public static final Limits DEFAULT = new Limits(256, 64L << 20, 128);
    }

    /** Where earlier owners left partitions backing off, by partition number; read when partitions arrive. */
    @FunctionalInterface
    public interface Backoffs {
        Backoffs NONE = partitions -> Map.of();

        Map<Integer, StatusStore.Backoff> of(Collection<Integer> partitions) throws Exception;
    }

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final RecordHandler processor;
    private final Meters meters;
    private final Limits limits;
    private final Backoffs backoffs;
    private final Clock clock;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

    // Touched by the poll thread only.
    private final Map<TopicPartition, Lane> lanes = new HashMap<>();
    private final Map<TopicPartition, Instant> resumeAt = new HashMap<>();
    private final Map<TopicPartition, Integer> failures = new HashMap<>();
    private final Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
    private final Set<TopicPartition> paused = new HashSet<>();
    /**
     * Per partition, the first offset that no consumer of the group can have handed out: the partition's end when it
     * was assigned here, then past every record fetched since. Anything below may be a re-delivery (a previous owner
     * that crashed, a rewind here) and is checked against the status store before it is sent.
     */
    private final Map<TopicPartition, Long> firstUnseen = new HashMap<>();

    private long lastCommitNanos = System.nanoTime();

    private final AtomicInteger eventsInFlight = new AtomicInteger();
    private final AtomicLong bytesInFlight = new AtomicLong();
    /** Released by workers as records finish, so the poll loop wakes when it waits with every partition paused. */
    private final Semaphore finished = new Semaphore(0);

    private volatile boolean running = true;

    public RequestConsumer(
            Consumer<byte[], byte[]> consumer,
            String topic,
            RecordHandler processor,
            Meters meters,
            Limits limits,
            Backoffs backoffs,
            Clock clock) {
        this.consumer = consumer;
        this.topic = topic;
        this.processor = processor;
        this.meters = meters;
        this.limits = limits;
        this.backoffs = backoffs;
        this.clock = clock;
        meters.inFlight(eventsInFlight::get);
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(topic), new Rebalance());
        try {
            while (running) {
                finished.drainPermits(); // what finishes from here on wakes an idle wait below
                settleLanes();
                commit(false);
                boolean idle = pausePartitions();
                if (idle) {
                    awaitFinished();
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(idle ? Duration.ZERO : POLL);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    dispatch(record);
                }
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
            drainAndCommit(Set.copyOf(lanes.keySet()));
            consumer.close();
            workers.shutdown();
        }
    }

    /** The records of one partition handed to workers and not yet committed. */
    private final class Lane {
        final TopicPartition tp;
        final Duration retryDelay;
        /** Offsets handed out and not committed: null while in flight, then what became of them. */
        private final TreeMap<Long, Result> pending = new TreeMap<>();
        /** The last record handed out per key; the next one of the key runs after it. */
        private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

        private int inFlight;
        private long firstRetry = Long.MAX_VALUE;
        /** Set when the partition goes (revoked, lost, shutting down): records not yet started are left alone. */
        private volatile boolean stopping;

        Lane(TopicPartition tp, Duration retryDelay) {
            this.tp = tp;
            this.retryDelay = retryDelay;
        }

        synchronized boolean retrying() {
            return firstRetry != Long.MAX_VALUE;
        }

        synchronized int inFlight() {
            return inFlight;
        }

        synchronized void started(long offset) {
            pending.put(offset, null);
            inFlight++;
        }

        synchronized boolean shouldRun(long offset) {
            return !stopping && offset < firstRetry;
        }

        synchronized void finished(long offset, Result result) {
            pending.put(offset, result);
            inFlight--;
            if (result == Result.RETRY_LATER) {
                firstRetry = Math.min(firstRetry, offset);
            }
        }

        /** Drops the done records at the head; returns the offset to commit, or -1 when none was dropped. */
        synchronized long takeDone() {
            long next = -1;
            while (!pending.isEmpty() && pending.firstEntry().getValue() == Result.DONE) {
                next = pending.pollFirstEntry().getKey() + 1;
            }
            return next;
        }

        /** The first record not done, where the partition starts again after a retry (null when none is left). */
        synchronized Long firstUndone() {
            return pending.isEmpty() ? null : pending.firstKey();
        }
    }

    /** Hands a record to a worker, after the previous record of its key; it is not run if its partition is failing. */
    private void dispatch(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        Lane lane = lanes.computeIfAbsent(tp, p -> new Lane(p, backoff(failures.getOrDefault(p, 0))));
        if (lane.retrying()) {
            return; // fetched before the pause took effect; fetched again after the rewind
        }
        long bytes = Math.max(0, record.serializedValueSize()) + Math.max(0, record.serializedKeySize());
        boolean seenBefore = record.offset() < firstUnseen.getOrDefault(tp, Long.MAX_VALUE);
        firstUnseen.computeIfPresent(tp, (p, first) -> Math.max(first, record.offset() + 1));
        lane.started(record.offset());
        eventsInFlight.incrementAndGet();
        bytesInFlight.addAndGet(bytes);
        String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        // The record runs on a worker once the previous record of its key is done, and is done when its processing's
        // result completes — on the status flusher's thread, as a rule, where its worker has already ended.
        CompletableFuture<Void> tail =
                lane.tails.compute(key, (k, previous) -> (previous == null ? NOTHING_BEFORE : previous)
                        .thenComposeAsync(v -> run(lane, record, seenBefore), workers)
                        .handle((result, failure) -> {
                            ended(lane, record.offset(), bytes, result, failure);
                            return null;
                        }));
        tail.whenComplete((v, e) -> lane.tails.remove(key, tail));
    }

    /** A record's processing, on its worker; null when it is not run: left for the rewind or the next owner. */
    private CompletableFuture<Result> run(Lane lane, ConsumerRecord<byte[], byte[]> record, boolean seenBefore) {
        return lane.shouldRun(record.offset())
                ? processor.process(record, lane.retryDelay, seenBefore)
                : CompletableFuture.completedFuture(null);
    }

    /** A record's processing over, however it ended: its lane and the bounds in flight are told. */
    private void ended(Lane lane, long offset, long bytes, Result result, Throwable failure) {
        if (failure != null) {
            log.error("{}@{}: unexpected failure; the record will be tried again", lane.tp, offset, failure);
            result = Result.RETRY_LATER;
        }
        lane.finished(offset, result);
        eventsInFlight.decrementAndGet();
        bytesInFlight.addAndGet(-bytes);
        finished.release();
    }

    /**
     * Moves each partition's commit point past its done records; a partition with a record to retry, once nothing of
     * it is in flight, commits up to that record, rewinds to it and backs off.
     */
    private void settleLanes() {
        Instant now = clock.instant();
        for (var it = lanes.values().iterator(); it.hasNext(); ) {
            Lane lane = it.next();
            long next = lane.takeDone();
            if (next >= 0) {
                toCommit.put(lane.tp, new OffsetAndMetadata(next));
            }
            if (!lane.retrying()) {
                if (next >= 0) {
                    failures.remove(lane.tp);
                }
                continue;
            }
            if (lane.inFlight() > 0) {
                continue;
            }
            Long retryAt = lane.firstUndone();
            it.remove();
            if (retryAt != null) {
                toCommit.put(lane.tp, new OffsetAndMetadata(retryAt));
                consumer.seek(lane.tp, retryAt);
            }
            failures.merge(lane.tp, 1, Integer::sum); // the next lane of the partition waits longer
            resumeAt.put(lane.tp, now.plus(lane.retryDelay)); // what its events' next_attempt_at says
            commit(true);
        }
    }

    private void commit(boolean now) {
        if (toCommit.isEmpty() || (!now && System.nanoTime() - lastCommitNanos < COMMIT_EVERY.toNanos())) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>(toCommit);
        toCommit.clear();
        lastCommitNanos = System.nanoTime();
        int before = commits.size();
        commits.keySet().retainAll(consumer.assignment()); // lost meanwhile: never commit for it
        if (commits.size() < before) {
            meters.commitSkipped(before - commits.size());
        }
        if (commits.isEmpty()) {
            return;
        }
        if (!now) {
            // In the background, so the loop never waits on the group coordinator; the next commit supersedes a
            // failed one. Requests to the coordinator go in order, so a later synchronous commit lands after it.
            consumer.commitAsync(commits, (offsets, e) -> committed(e));
            return;
        }
        try {
            consumer.commitSync(commits);
            committed(null);
        } catch (RuntimeException e) {
            committed(e);
        }
    }

    private void committed(Exception failure) {
        meters.commit(failure == null);
        if (failure != null) {
            // Not fatal: the events are decided and durable, so a re-delivery finds them terminal.
            log.warn("offset commit failed; the events will be re-delivered and found decided: {}", failure.toString());
        }
    }

    /**
     * Pauses the partitions that back off, wait for a rewind or hold their share of the work in flight — all of them
     * while over the bounds — and resumes the others. Returns whether every assigned partition is paused.
     */
    private boolean pausePartitions() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return false;
        }
        Instant now = clock.instant();
        resumeAt.entrySet().removeIf(e -> !assigned.contains(e.getKey()) || !now.isBefore(e.getValue()));
        boolean full = eventsInFlight.get() >= limits.maxEvents() || bytesInFlight.get() >= limits.maxBytes();
        Set<TopicPartition> pause = new HashSet<>();
        for (TopicPartition tp : assigned) {
            Lane lane = lanes.get(tp);
            if (full
                    || resumeAt.containsKey(tp)
                    || (lane != null && (lane.retrying() || lane.inFlight() >= limits.maxEventsPerPartition()))) {
                pause.add(tp);
            }
        }
        paused.retainAll(assigned);
        Set<TopicPartition> resume = new HashSet<>(paused);
        resume.removeAll(pause);
        Set<TopicPartition> newlyPaused = new HashSet<>(pause);
        newlyPaused.removeAll(paused);
        try {
            if (!newlyPaused.isEmpty()) {
                consumer.pause(newlyPaused);
            }
            if (!resume.isEmpty()) {
                consumer.resume(resume);
            }
        } catch (IllegalStateException e) {
            // The assignment changed since we read it; the next poll runs the rebalance callbacks.
            log.info("assignment changed while pausing partitions: {}", e.getMessage());
            return false;
        }
        paused.clear();
        paused.addAll(pause);
        return pause.size() == assigned.size();
    }

    /** With every partition paused there is nothing to fetch: wait for a record to finish (at most one interval). */
    private void awaitFinished() {
        try {
            finished.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Duration backoff(int failures) {
        if (failures <= 0) {
            return FIRST_RETRY;
        }
        long millis = FIRST_RETRY.toMillis() << Math.min(failures, 10);
        return Duration.ofMillis(Math.min(millis, MAX_RETRY.toMillis()));
    }

    /**
     * Lets the records of {@code partitions} in flight finish (bounded; those not yet started are left for the next
     * owner), then commits what they finished and forgets the partitions.
     */
    private void drainAndCommit(Collection<TopicPartition> partitions) {
        long deadline = System.nanoTime() + DRAIN_ON_REVOKE.toNanos();
        for (TopicPartition tp : partitions) {
            Lane lane = lanes.get(tp);
            if (lane != null) {
                lane.stopping = true;
            }
        }
        for (TopicPartition tp : partitions) {
            Lane lane = lanes.remove(tp);
            if (lane == null) {
                continue;
            }
            while (lane.inFlight() > 0 && System.nanoTime() < deadline) {
                try {
                    finished.tryAcquire(10, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (lane.inFlight() > 0) {
                log.warn("{}: events still in flight after {}; they will be re-delivered", tp, DRAIN_ON_REVOKE);
            }
            long next = lane.takeDone();
            if (next >= 0) {
                toCommit.put(tp, new OffsetAndMetadata(next));
            }
        }
        commit(true);
        partitions.forEach(this::forget);
    }

    private void forget(TopicPartition tp) {
        Lane lane = lanes.remove(tp);
        if (lane != null) {
            lane.stopping = true;
        }
        resumeAt.remove(tp);
        failures.remove(tp);
        paused.remove(tp);
        toCommit.remove(tp);
        firstUnseen.remove(tp);
    }

    /** Revoked partitions are drained and committed before they go; lost ones are never committed. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            drainAndCommit(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // Work resumes at the committed offset, after the back-off its previous owner had started, if any.
            if (partitions.isEmpty()) {
                return;
            }
            try {
                consumer.endOffsets(partitions, END_OFFSETS_TIMEOUT).forEach((tp, end) -> {
                    if (end != null) {
                        firstUnseen.put(tp, end);
                    }
                });
            } catch (RuntimeException e) {
                log.warn(
                        "the end offsets of {} could not be read; every record is checked: {}",
                        partitions,
                        e.toString());
            }
            Map<Integer, TopicPartition> byNumber = new HashMap<>();
            partitions.forEach(tp -> byNumber.put(tp.partition(), tp));
            try {
                backoffs.of(byNumber.keySet()).forEach((partition, backoff) -> {
                    TopicPartition tp = byNumber.get(partition);
                    resumeAt.put(tp, backoff.until());
                    failures.put(tp, Math.max(1, backoff.attempts()));
                    log.info("{}: backing off until {}, as its previous owner was", tp, backoff.until());
                });
            } catch (Exception e) {
                log.warn("the back-offs of {} could not be read; they start now: {}", partitions, e.toString());
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            int uncommitted =
                    (int) partitions.stream().filter(toCommit::containsKey).count();
            if (uncommitted > 0) {
                meters.commitSkipped(uncommitted);
            }
            partitions.forEach(RequestConsumer.this::forget);
        }
    }

    /** Stops the loop: in-flight work is drained (bounded) and committed before the consumer leaves its group. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}

package dev.plumber.metrics;

import dev.plumber.status.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** Every meter and tag name of the gateway, in one place. */
public final class Meters {
    public static final String EVENTS = "plumber_events_total";
    public static final String DLP_CALLS = "plumber_dlp_call";
    public static final String DEAD_LETTERS = "plumber_dead_letters_total";
    public static final String UNRECORDED = "plumber_outcomes_unrecorded_total";
    public static final String SETTINGS_REJECTED = "plumber_settings_rejected_total";
    public static final String IN_FLIGHT = "plumber_events_in_flight";
    public static final String COMMITS = "plumber_offset_commits_total";
    public static final String RETRIES = "plumber_retries_total";
    public static final String BREAKER_STATE = "plumber_dlp_breaker_state";
    public static final String DLP_HALTED = "plumber_dlp_halted";
    public static final String DLP_BODY_BYTES = "plumber_dlp_body_bytes_total";
    public static final String STATUS_WAITS = "plumber_status_wait";
    public static final String STATUS_FLUSHES = "plumber_status_flush";
    public static final String STATUS_FLUSH_ROWS = "plumber_status_flush_rows";
    public static final String STATUS_QUEUE = "plumber_status_queue";

    private final MeterRegistry registry;
    /**
     * The sources of function counters: the registry holds them weakly, and a method reference held by nothing else
     * would be collected at the next GC and the counter read nothing from then on.
     */
    private final List<Object> held = new CopyOnWriteArrayList<>();

    /**
     * The meters of the hot path, by their tags' values, registered on first use. Building a meter's id and looking it
     * up in the registry for every event took about 5 % of the gateway's CPU on small messages.
     */
    private final Map<Status, Counter> terminals = new ConcurrentHashMap<>();

    private final Map<String, Timer> statusWaits = new ConcurrentHashMap<>();
    private final Map<String, Timer> statusFlushes = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> statusFlushRows = new ConcurrentHashMap<>();
    private final Map<String, Timer> statusQueues = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> dlpCalls = new ConcurrentHashMap<>();

    public Meters(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Binds the JVM's and the process's meters (memory, threads, the compiler, CPU, collections) to {@code registry},
     * for the gateway and the core alike; the returned binder is to be closed with the process's other resources.
     */
    public static AutoCloseable bindJvm(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmCompilationMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return gc;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** An event reached a terminal status. */
    public void terminal(Status status) {
        cached(terminals, status, s -> Counter.builder(EVENTS)
                        .description("Events that reached a terminal status")
                        .tag("status", s.name())
                        .register(registry))
                .increment();
    }

    /** Events polled and not yet decided. */
    public void inFlight(Supplier<Number> events) {
        Gauge.builder(IN_FLIGHT, events)
                .description("Events polled and not yet decided")
                .register(registry);
    }

    /** Invalid DLP settings changes rejected since start (the last valid settings stayed). */
    public void settingsRejected(Supplier<Number> rejected) {
        FunctionCounter.builder(SETTINGS_REJECTED, rejected, r -> r.get().doubleValue())
                .description("Invalid DLP settings changes rejected; the last valid settings stayed")
                .register(registry);
        held.add(rejected);
    }

    /** A DLP address's circuit breaker: 0 closed, 1 open, 2 half-open. */
    public void breakerState(String address, Supplier<Number> state) {
        Gauge.builder(BREAKER_STATE, state)
                .description(
                        "Circuit breaker per DLP address: 0 closed, 1 open, 2 half-open; NaN once the settings name another")
                .tag("address", address)
                .register(registry);
    }

    /** An offset commit, successful or not (a failed one only means re-delivery of decided events). */
    public void commit(boolean ok) {
        commits(ok ? "ok" : "failed").increment();
    }

    /** Offsets not committed on purpose: their partition was lost (another member may own it already). */
    public void commitSkipped(int partitions) {
        commits("skipped").increment(partitions);
    }

    private Counter commits(String result) {
        return Counter.builder(COMMITS)
                .description("Offset commits, by result; skipped: partitions lost before their commit")
                .tag("result", result)
                .register(registry);
    }

    /** An event left for a later try, by why: the DLP failed transiently, or our own store/broker did. */
    public void retry(String kind) {
        Counter.builder(RETRIES)
                .description("Events left for a later try")
                .tag("kind", kind)
                .register(registry)
                .increment();
    }

    public void deadLetter(String stage) {
        Counter.builder(DEAD_LETTERS)
                .description("Events written to the dead-letter topic")
                .tag("stage", stage)
                .register(registry)
                .increment();
    }

    /** An outcome that was not recorded: its event's id was decided before by another record. */
    public void unrecorded(Status status) {
        Counter.builder(UNRECORDED)
                .description("Outcomes not recorded, their event's id decided before by another record")
                .tag("status", status.name())
                .register(registry)
                .increment();
    }

    /**
     * 1 while a DLP sender has stopped sending on its own (refused credentials, a licence error), else 0; read from
     * the sender each scrape.
     */
    public void dlpHalted(String system, BooleanSupplier halted) {
        Gauge.builder(DLP_HALTED, () -> halted.getAsBoolean() ? 1 : 0)
                .description("Whether sending to the DLP is halted until its credentials or licence are fixed")
                .tag("system", system)
                .register(registry);
    }

    /** The body bytes a DLP sender has written, read from the sender each scrape. */
    public void dlpBodyBytes(String system, LongSupplier sent) {
        FunctionCounter.builder(DLP_BODY_BYTES, sent, LongSupplier::getAsLong)
                .description("Body bytes written to the DLP (ICAP: encapsulated bodies; InfoWatch: file data)")
                .tag("system", system)
                .register(registry);
        held.add(sent);
    }

    /** One DLP call, by system and outcome ({@code allowed}, {@code blocked}, {@code transient}, …). */
    public void dlpCall(String system, String outcome, Duration took) {
        cached(dlpCalls, List.of(system, outcome), k -> Timer.builder(DLP_CALLS)
                        .description("DLP calls")
                        .tag("system", system)
                        .tag("outcome", outcome)
                        .publishPercentileHistogram()
                        .register(registry))
                .record(took);
    }

    /**
     * How long an event's worker waited for the status store: {@code lookup} (was it decided before?) or {@code write}
     * (a status durable), batching with the other events in flight included.
     */
    public void statusWait(String op, long nanos) {
        cached(statusWaits, op, o -> Timer.builder(STATUS_WAITS)
                        .description("Waits for the status store")
                        .tag("op", o)
                        .publishPercentileHistogram()
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * One batch of the status store done: {@code rows} writes ({@code write}) or look-ups ({@code lookup}) in one
     * statement or transaction that took {@code nanos}, the oldest of them handed over {@code queuedNanos} before it
     * started. Against {@link #statusWait}, it tells a slow database from events that wait on this side: for a
     * flusher ({@code queuedNanos}), or for a core to run them when the batch is done (what neither accounts for).
     */
    public void statusFlush(String op, int rows, long queuedNanos, long nanos) {
        cached(statusFlushes, op, o -> Timer.builder(STATUS_FLUSHES)
                        .description("Batches of the status store, from taking them to their commit")
                        .tag("op", o)
                        .publishPercentileHistogram()
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
        cached(statusFlushRows, op, o -> DistributionSummary.builder(STATUS_FLUSH_ROWS)
                        .description("Writes or look-ups per batch of the status store")
                        .tag("op", o)
                        .register(registry))
                .record(rows);
        cached(statusQueues, op, o -> Timer.builder(STATUS_QUEUE)
                        .description(
                                "How long the oldest item of each batch of the status store waited for it to start")
                        .tag("op", o)
                        .publishPercentileHistogram()
                        .register(registry))
                .record(queuedNanos, TimeUnit.NANOSECONDS);
    }

    /** The meter of {@code key}, registered by {@code register} on first use; a look-up in a map after that. */
    private static <K, M> M cached(Map<K, M> meters, K key, Function<K, M> register) {
        M meter = meters.get(key);
        return meter != null ? meter : meters.computeIfAbsent(key, register);
    }
}

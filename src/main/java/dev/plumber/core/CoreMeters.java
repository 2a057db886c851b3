package dev.plumber.core;

import dev.plumber.core.events.DlpEvents;
import dev.plumber.core.events.OutboxBacklog;
import dev.plumber.metrics.Meters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/** Every meter name of the messenger core, in one place; the JVM's are the gateway's ({@link Meters#bindJvm}). */
public final class CoreMeters {
    public static final String OUTBOX_ROWS = "plumber_core_outbox_rows";
    public static final String OUTBOX_OLDEST_AGE = "plumber_core_outbox_oldest_age_seconds";
    public static final String OUTBOX_PARKED_ROWS = "plumber_core_outbox_parked_rows";
    public static final String OUTBOX_SENT = "plumber_core_outbox_sent_total";
    public static final String OUTBOX_PARKED = "plumber_core_outbox_parked_total";

    private final MeterRegistry registry;

    public CoreMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** What waits in the outbox and what is parked, read from {@code backlog} each scrape (it caches its reading). */
    public void outboxBacklog(Supplier<OutboxBacklog.Reading> backlog) {
        Gauge.builder(OUTBOX_ROWS, () -> backlog.get().rows())
                .description("Events and journal entries waiting in the outbox for Kafka")
                .register(registry);
        Gauge.builder(OUTBOX_OLDEST_AGE, () -> backlog.get().oldestAgeSeconds())
                .description("Age of the oldest row waiting in the outbox, 0 when none waits: the relay's lag")
                .register(registry);
        Gauge.builder(OUTBOX_PARKED_ROWS, () -> backlog.get().parkedRows())
                .description("Rows Kafka refused for good, parked in core.outbox_parked: events the DLP never saw")
                .register(registry);
    }

    /**
     * The rows the outbox relay sent and parked, read from {@code events} each scrape. The registry holds it weakly,
     * as every function counter's source: the core holds it until it closes.
     */
    public void outboxRelay(DlpEvents events) {
        FunctionCounter.builder(OUTBOX_SENT, events, DlpEvents::relayed)
                .description("Outbox rows sent: acknowledged by Kafka and deleted from the outbox")
                .register(registry);
        FunctionCounter.builder(OUTBOX_PARKED, events, DlpEvents::parked)
                .description("Outbox rows this process parked, Kafka having refused them for good")
                .register(registry);
    }
}

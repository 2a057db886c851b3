package dev.plumber.metrics;

import dev.plumber.status.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Every meter and tag name of the gateway, in one place. */
public final class Meters {
    public static final String EVENTS = "plumber_events_total";
    public static final String DLP_CALLS = "plumber_dlp_call";
    public static final String DEAD_LETTERS = "plumber_dead_letters_total";
    public static final String SETTINGS_REJECTED = "plumber_settings_rejected_total";
    public static final String DLP_HALTED = "plumber_dlp_halted";

    private final MeterRegistry registry;

    public Meters(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** An event reached a terminal status. */
    public void terminal(Status status) {
        Counter.builder(EVENTS)
                .description("Events that reached a terminal status")
                .tag("status", status.name())
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

    /** One DLP call, by system and outcome ({@code allowed}, {@code blocked}, {@code transient}, …). */
    public void dlpCall(String system, String outcome, Duration took) {
        Timer.builder(DLP_CALLS)
                .description("DLP calls")
                .tag("system", system)
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry)
                .record(took);
    }
}

package dev.plumber.delivery;

import dev.plumber.event.DlpEvent;
import dev.plumber.event.FileEvent;
import dev.plumber.metrics.Meters;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSystem;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.exception.AcquirePermissionCancelledException;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one event is delivered, in one visible place: a bulkhead bounding concurrent DLP calls, around a short jittered
 * retry for transient failures, around a circuit breaker per DLP address, around the sender's call (which has its own
 * timeouts). Longer outages are the intake's business: it marks the event {@code RETRYING}, pauses the partition and
 * tries again later; while the breaker is open those tries fail at once, without touching the DLP.
 */
public final class DeliveryPolicy {
    private static final Logger log = LoggerFactory.getLogger(DeliveryPolicy.class);

    private volatile BiConsumer<String, String> breakerTransitions = (address, state) -> {};
    private volatile Predicate<String> addressInUse = address -> true;
    private final Map<DlpSystem, DlpSender> senders;
    private final CircuitBreakerRegistry breakers;
    private final RetryRegistry retries;
    private final Bulkhead bulkhead;
    private volatile Guards lastGuards;
    private final Meters meters;

    /** @param bulkheadWait how long a call may wait for one of the {@code maxConcurrentCalls} slots */
    public DeliveryPolicy(
            Map<DlpSystem, DlpSender> senders, Meters meters, int maxConcurrentCalls, Duration bulkheadWait) {
        this.senders = Map.copyOf(senders);
        this.meters = meters;
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(5))
                .permittedNumberOfCallsInHalfOpenState(2)
                // Only transient failures say the DLP is unwell; a permanent one is about the event.
                .recordException(e -> e instanceof DeliveryException d && !d.permanent())
                .build());
        breakers.getEventPublisher().onEntryAdded(e -> {
            CircuitBreaker breaker = e.getAddedEntry();
            breaker.getEventPublisher()
                    .onStateTransition(t -> breakerTransitions.accept(
                            breaker.getName(),
                            t.getStateTransition().getToState().name()));
            // A breaker keeps the state of the last calls to its address, which no call may change once the settings
            // name another: its gauge then reads NaN, not the DLP's state, so that it neither alerts nor worries.
            meters.breakerState(
                    breaker.getName(),
                    () -> !addressInUse.test(breaker.getName())
                            ? Double.NaN
                            : switch (breaker.getState()) {
                                case CLOSED, DISABLED -> 0;
                                case OPEN, FORCED_OPEN, METRICS_ONLY -> 1;
                                case HALF_OPEN -> 2;
                            });
        });
        this.bulkhead = Bulkhead.of(
                "dlp",
                BulkheadConfig.custom()
                        .maxConcurrentCalls(maxConcurrentCalls)
                        .maxWaitDuration(bulkheadWait)
                        .build());
        this.retries = RetryRegistry.of(RetryConfig.custom()
                .maxAttempts(3)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(100), 2.0, 0.5))
                .retryOnException(e -> e instanceof DeliveryException d && !d.permanent())
                .build());
    }

    /** Which DLP addresses the settings name now: the breakers of the others report no state (NaN). */
    public void addressInUse(Predicate<String> inUse) {
        this.addressInUse = inUse;
    }

    /** Tells {@code listener} (DLP address, new state) each time a breaker changes state; it must not throw. */
    public void onBreakerTransition(BiConsumer<String, String> listener) {
        this.breakerTransitions = listener;
    }

    /** The breaker state of a DLP address ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}); closed if never called. */
    public String breakerState(String address) {
        return breakers.find(address).map(b -> b.getState().name()).orElse("CLOSED");
    }

    /**
     * Why {@code settings} say {@code event} is not to be sent at all, or empty: the DLP switched off, or a file over
     * the size limit (judged by the size its event declares, so it is never downloaded). A message that links such a
     * file by its hash is still sent; the file's own row says why its content was not checked.
     */
    public Optional<String> skipped(DlpEvent event, DlpSettings settings) {
        if (settings.mode() == DlpSettings.Mode.OFF) {
            return Optional.of("DLP switched off (DLP/mode=off)");
        }
        OptionalLong limit = settings.maxFileSize();
        if (event instanceof FileEvent f && limit.isPresent() && f.size() > limit.getAsLong()) {
            return Optional.of("file of " + f.size() + " bytes is over the size limit of " + limit.getAsLong()
                    + " bytes (DLP/maxFileSize)");
        }
        return Optional.empty();
    }

    /**
     * Delivers {@code event} to the DLP of {@code settings}; {@code admitted} runs once the event has one of the
     * bulkhead's slots, before its first attempt: from then on its DLP call is in flight, before it only waited.
     */
    public Verdict deliver(DlpEvent event, DlpSettings settings, Runnable admitted) throws DeliveryException {
        DlpSender sender = senders.get(settings.system());
        if (sender == null) {
            throw DeliveryException.permanent(
                    "dlp", "no sender for DLP system '" + settings.system().key() + "' in this build", null);
        }
        Guards guards = guards(settings.address());
        try {
            CheckedSupplier<Verdict> attempts = Retry.decorateCheckedSupplier(
                    guards.retry(),
                    CircuitBreaker.decorateCheckedSupplier(guards.breaker(), () -> timed(sender, event, settings)));
            return Bulkhead.decorateCheckedSupplier(bulkhead, () -> {
                        admitted.run();
                        return attempts.get();
                    })
                    .get();
        } catch (DeliveryException e) {
            throw e;
        } catch (CallNotPermittedException e) {
            throw DeliveryException.transientFailure(
                    "dlp", "DLP at " + settings.address() + " is failing; circuit open", e);
        } catch (BulkheadFullException e) {
            throw DeliveryException.transientFailure("dlp", "too many DLP calls in flight", e);
        } catch (AcquirePermissionCancelledException e) {
            throw DeliveryException.transientFailure("dlp", "interrupted while waiting for a DLP call slot", e);
        } catch (Throwable e) {
            throw unexpected(event, e);
        }
    }

    /**
     * A failure the sender did not classify. A bug that one event sets off — an IllegalArgumentException building its
     * request, a NullPointerException — fails the same way on every try: taken for transient, it held the event's
     * partition for good. So it is permanent for that event, which goes to the dead-letter topic with the error, and
     * logged with its stack trace so the bug is seen. What is about the process rather than the event stays transient:
     * an I/O failure the sender let through unclassified, an {@link Error} (out of memory), an interrupt (shutting
     * down).
     */
    private static DeliveryException unexpected(DlpEvent event, Throwable e) {
        if (e instanceof RuntimeException
                && !(e instanceof UncheckedIOException)
                && !Thread.currentThread().isInterrupted()) {
            log.error(
                    "event {}: unexpected failure building or sending its DLP request; it is dead-lettered",
                    event.id(),
                    e);
            return DeliveryException.permanent("dlp", "unexpected error: " + e, e);
        }
        return DeliveryException.transientFailure("dlp", e.toString(), e);
    }

    /** The breaker and retry of a DLP address; the registries hold them, this the pair of the address last used. */
    private record Guards(String address, CircuitBreaker breaker, Retry retry) {}

    /**
     * The guards of {@code address}: those of the address last used while it stays the same (looking both up in their
     * registries for every event was 1-2.4 % of the gateway's CPU samples on small messages).
     */
    private Guards guards(String address) {
        Guards last = lastGuards;
        if (last == null || !last.address().equals(address)) {
            last = new Guards(address, breakers.circuitBreaker(address), retries.retry(address));
            lastGuards = last;
        }
        return last;
    }

    private Verdict timed(DlpSender sender, DlpEvent event, DlpSettings settings) throws DeliveryException {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            Verdict verdict = sender.send(event, settings);
            outcome = verdict.outcome().label();
            return verdict;
        } catch (DeliveryException e) {
            outcome = e.permanent() ? "permanent" : "transient";
            throw e;
        } finally {
            meters.dlpCall(settings.system().key(), outcome, Duration.ofNanos(System.nanoTime() - start));
        }
    }
}

package dev.plumber.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.event.DlpEvent;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.metrics.Meters;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSystem;
import dev.plumber.settings.InvalidSettingsException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeliveryPolicyTest {
    private static final DlpEvent EVENT = new MessageEvent(
            UUID.randomUUID(), 1, "a@b", "c", "group", "t", null, "{}", "1.2.3.4", Instant.EPOCH, false);

    private static final DlpSettings SETTINGS = settings();

    private static DlpSettings settings() {
        try {
            return DlpSettings.fromMap(Map.of("system", "icap", "address", "icap://dlp/request"));
        } catch (InvalidSettingsException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A DLP that counts {@code entered} down on each call and answers once {@code release} is. */
    private static DlpSender heldUntil(CountDownLatch release, CountDownLatch entered) {
        return (event, settings) -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Verdict.allowed("t");
        };
    }

    /** One bulkhead slot, waited for at most {@code slotWait}. */
    private static DeliveryPolicy oneSlot(DlpSender sender, Duration slotWait) {
        return new DeliveryPolicy(Map.of(DlpSystem.ICAP, sender), new Meters(new SimpleMeterRegistry()), 1, slotWait);
    }

    /** A call on a virtual thread of its own, {@code admitted} run once it has its slot. */
    private static Thread call(DeliveryPolicy policy, Runnable admitted) {
        return Thread.ofVirtual().start(() -> {
            try {
                policy.deliver(EVENT, SETTINGS, admitted);
            } catch (DeliveryException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void eachDlpAddressHasItsOwnBreakerWhenEventsAlternateBetweenThem() throws Exception {
        DlpSettings failing = DlpSettings.fromMap(Map.of("system", "icap", "address", "icap://down/request"));
        DlpSender sender = (event, settings) -> {
            if (settings == failing) {
                throw DeliveryException.transientFailure("dlp", "connection refused", null);
            }
            return Verdict.allowed("t");
        };
        DeliveryPolicy policy = new DeliveryPolicy(
                Map.of(DlpSystem.ICAP, sender), new Meters(new SimpleMeterRegistry()), 4, Duration.ZERO);
        for (int i = 0; i < 10; i++) { // the breaker's minimum number of calls, each one's retries failing too
            assertThatThrownBy(() -> policy.deliver(EVENT, failing, () -> {})).isInstanceOf(DeliveryException.class);
            assertThat(policy.deliver(EVENT, SETTINGS, () -> {}).outcome()).isEqualTo(Verdict.Outcome.ALLOWED);
        }
        assertThat(policy.breakerState("icap://down/request")).isEqualTo("OPEN");
        assertThat(policy.breakerState("icap://dlp/request")).isEqualTo("CLOSED");
        assertThatThrownBy(() -> policy.deliver(EVENT, failing, () -> {})).hasMessageContaining("circuit open");
        assertThat(policy.deliver(EVENT, SETTINGS, () -> {}).outcome()).isEqualTo(Verdict.Outcome.ALLOWED);
    }

    /** A breaker left open on an address the settings no longer name would report a failing DLP for ever. */
    @Test
    void theBreakerOfAnAddressNoLongerInUseReportsNoState() throws Exception {
        DlpSettings failing = DlpSettings.fromMap(Map.of("system", "icap", "address", "icap://down/request"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DeliveryPolicy policy = new DeliveryPolicy(
                Map.of(DlpSystem.ICAP, (event, settings) -> {
                    throw DeliveryException.transientFailure("dlp", "connection refused", null);
                }),
                new Meters(registry),
                4,
                Duration.ZERO);
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> policy.deliver(EVENT, failing, () -> {})).isInstanceOf(DeliveryException.class);
        }
        assertThat(breakerGauge(registry, "icap://down/request")).isEqualTo(1);

        String[] inUse = {"icap://down/request"};
        policy.addressInUse(address -> address.equals(inUse[0]));
        assertThat(breakerGauge(registry, "icap://down/request")).isEqualTo(1);
        inUse[0] = "icap://dlp/request"; // the settings now name another DLP

        assertThat(breakerGauge(registry, "icap://down/request")).isNaN();
        assertThat(policy.breakerState("icap://down/request")).isEqualTo("OPEN");
    }

    private static double breakerGauge(SimpleMeterRegistry registry, String address) {
        return registry.get(Meters.BREAKER_STATE)
                .tag("address", address)
                .gauge()
                .value();
    }

    @Test
    void theBulkheadBoundsConcurrentDlpCalls() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        DeliveryPolicy policy = oneSlot(heldUntil(release, entered), Duration.ZERO);
        Thread first = call(policy, () -> {});
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        try {
            assertThatThrownBy(() -> policy.deliver(EVENT, SETTINGS, () -> {}))
                    .isInstanceOfSatisfying(DeliveryException.class, e -> assertThat(e.permanent())
                            .isFalse())
                    .hasMessageContaining("too many DLP calls in flight");
        } finally {
            release.countDown();
            first.join();
        }
    }

    @Test
    void aCallWaitingForASlotIsAdmittedOnlyOnceItHasOne() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        DeliveryPolicy policy = oneSlot(heldUntil(release, new CountDownLatch(2)), Duration.ofSeconds(30));
        CountDownLatch firstAdmitted = new CountDownLatch(1);
        CountDownLatch secondAdmitted = new CountDownLatch(1);
        Thread first = call(policy, firstAdmitted::countDown);
        assertThat(firstAdmitted.await(10, TimeUnit.SECONDS)).isTrue();
        Thread second = call(policy, secondAdmitted::countDown);
        // The second call is waiting for the only slot: nothing of it is in flight.
        assertThat(secondAdmitted.await(300, TimeUnit.MILLISECONDS)).isFalse();
        release.countDown();
        assertThat(secondAdmitted.await(10, TimeUnit.SECONDS)).isTrue();
        first.join();
        second.join();
    }

    @Test
    void skipsFilesOverTheSizeLimitAndEverythingWhileSwitchedOff() throws Exception {
        DeliveryPolicy policy = oneSlot((event, settings) -> Verdict.allowed("t"), Duration.ZERO);
        DlpSettings limited =
                DlpSettings.fromMap(Map.of("system", "icap", "address", "icap://dlp/request", "maxFileSize", "1KiB"));
        DlpSettings off = DlpSettings.fromMap(Map.of("system", "icap", "address", "icap://dlp/request", "mode", "off"));

        assertThat(policy.skipped(file(1024), limited)).isEmpty();
        assertThat(policy.skipped(file(1025), limited))
                .contains("file of 1025 bytes is over the size limit of 1024 bytes (DLP/maxFileSize)");
        assertThat(policy.skipped(EVENT, limited))
                .as("a message is never over a file limit")
                .isEmpty();
        assertThat(policy.skipped(file(1 << 30), SETTINGS))
                .as("no limit by default")
                .isEmpty();
        assertThat(policy.skipped(EVENT, off)).contains("DLP switched off (DLP/mode=off)");
        assertThat(policy.skipped(file(1), off)).contains("DLP switched off (DLP/mode=off)");
    }

    private static FileEvent file(long size) {
        return new FileEvent(
                UUID.randomUUID(), "h", "f.bin", size, "application/octet-stream", "a@b", "", Instant.EPOCH);
    }

    /**
     * A bug one event sets off fails the same way on every try: it is permanent for that event, tried once, where it
     * held the event's partition for good; an I/O failure let through unclassified stays transient.
     */
    @Test
    void anUnexpectedRuntimeExceptionIsPermanentForItsEventAndAnIoFailureTransient() {
        AtomicInteger calls = new AtomicInteger();
        DeliveryPolicy bug = oneSlot(
                (event, settings) -> {
                    calls.incrementAndGet();
                    throw new IllegalArgumentException("header X-Authenticated-User value contains a line break");
                },
                Duration.ZERO);
        assertThatThrownBy(() -> bug.deliver(EVENT, SETTINGS, () -> {}))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isTrue();
                    assertThat(e.getCause()).isInstanceOf(IllegalArgumentException.class);
                })
                .hasMessage("unexpected error: java.lang.IllegalArgumentException: header X-Authenticated-User value"
                        + " contains a line break");
        assertThat(calls).hasValue(1);

        DeliveryPolicy io = oneSlot(
                (event, settings) -> {
                    throw new UncheckedIOException(new IOException("connection reset"));
                },
                Duration.ZERO);
        assertThatThrownBy(() -> io.deliver(EVENT, SETTINGS, () -> {}))
                .isInstanceOfSatisfying(
                        DeliveryException.class, e -> assertThat(e.permanent()).isFalse());
        DeliveryPolicy outOfMemory = oneSlot(
                (event, settings) -> {
                    throw new OutOfMemoryError("Java heap space");
                },
                Duration.ZERO);
        assertThatThrownBy(() -> outOfMemory.deliver(EVENT, SETTINGS, () -> {}))
                .isInstanceOfSatisfying(
                        DeliveryException.class, e -> assertThat(e.permanent()).isFalse());
    }
}

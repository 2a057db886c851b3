package dev.plumber.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.event.DlpEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.metrics.Meters;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSystem;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeliveryPolicyTest {
    private static final DlpEvent EVENT = new MessageEvent(
            UUID.randomUUID(), 1, "a@b", "c", "group", "t", null, "{}", "1.2.3.4", Instant.EPOCH, false);

    @Test
    void theBulkheadBoundsConcurrentDlpCalls() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        DlpSender slow = (event, settings) -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Verdict.allowed("t");
        };
        DeliveryPolicy policy = new DeliveryPolicy(
                Map.of(DlpSystem.ICAP, slow), new Meters(new SimpleMeterRegistry()), 1, Duration.ZERO);
        DlpSettings settings = DlpSettings.fromMap(Map.of("system", "icap", "address", "icap://dlp/request"));
        Thread first = Thread.ofVirtual().start(() -> {
            try {
                policy.deliver(EVENT, settings, () -> {});
            } catch (DeliveryException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        try {
            assertThatThrownBy(() -> policy.deliver(EVENT, settings, () -> {}))
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
        DlpSender held = (event, settings) -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Verdict.allowed("t");
        };
        DeliveryPolicy policy = new DeliveryPolicy(
                Map.of(DlpSystem.ICAP, held), new Meters(new SimpleMeterRegistry()), 1, Duration.ofSeconds(30));
        DlpSettings settings = DlpSettings.fromMap(Map.of("system", "icap", "address", "icap://dlp/request"));
        CountDownLatch firstAdmitted = new CountDownLatch(1);
        CountDownLatch secondAdmitted = new CountDownLatch(1);
        List<Thread> calls = new ArrayList<>();
        for (CountDownLatch admitted : List.of(firstAdmitted, secondAdmitted)) {
            calls.add(Thread.ofVirtual().start(() -> {
                try {
                    policy.deliver(EVENT, settings, admitted::countDown);
                } catch (DeliveryException e) {
                    throw new IllegalStateException(e);
                }
            }));
            if (admitted == firstAdmitted) {
                assertThat(firstAdmitted.await(10, TimeUnit.SECONDS)).isTrue();
            }
        }
        // The second call is waiting for the only slot: nothing of it is in flight.
        assertThat(secondAdmitted.await(300, TimeUnit.MILLISECONDS)).isFalse();
        release.countDown();
        assertThat(secondAdmitted.await(10, TimeUnit.SECONDS)).isTrue();
        for (Thread call : calls) {
            call.join();
        }
    }
}

package dev.plumber.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SendingMarksTest {

    @Test
    void aCallOverBeforeItsTimeWritesNoSending() throws Exception {
        AtomicInteger writes = new AtomicInteger();
        SendingMarks.Mark mark = new SendingMarks(Duration.ofMillis(20)).mark(() -> writes.incrementAndGet() > 0);

        mark.start();
        boolean written = mark.settle();
        Thread.sleep(200); // past the mark's time and the checks after it

        assertThat(written).isFalse();
        assertThat(writes).hasValue(0);
    }

    @Test
    void aCallStillRunningHasItsSendingWrittenOnce() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        AtomicInteger writes = new AtomicInteger();
        SendingMarks.Mark mark = new SendingMarks(Duration.ofMillis(20)).mark(() -> {
            writes.incrementAndGet();
            writing.countDown();
            return true;
        });

        mark.start();

        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(mark.settle()).isTrue();
        assertThat(writes).hasValue(1);
    }

    @Test
    void theCallsEndWaitsForItsSendingWriteUnderWay() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SendingMarks.Mark mark = new SendingMarks(Duration.ZERO).mark(() -> {
            writing.countDown();
            release.await();
            return true;
        });
        mark.start();
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Boolean> settled = CompletableFuture.supplyAsync(mark::settle);
        Thread.sleep(100);
        assertThat(settled).isNotDone();
        release.countDown();

        assertThat(settled.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aSendingWriteThatFailsLeavesTheAttemptToTheOutcome() throws Exception {
        CountDownLatch tried = new CountDownLatch(1);
        SendingMarks.Mark mark = new SendingMarks(Duration.ZERO).mark(() -> {
            tried.countDown();
            throw new java.sql.SQLException("database down");
        });
        mark.start();
        assertThat(tried.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(mark.settle()).isFalse();
    }

    @Test
    void aCallThatNeverStartedHasNoSending() {
        AtomicInteger writes = new AtomicInteger();
        SendingMarks.Mark mark = new SendingMarks(Duration.ZERO).mark(() -> writes.incrementAndGet() > 0);

        assertThat(mark.settle()).isFalse();
        assertThat(writes).hasValue(0);
    }

    @Test
    void ofManyCallsFromManyThreadsEachIsWrittenAtMostOnceAndSettlesAsItWas() throws Exception {
        SendingMarks marks = new SendingMarks(Duration.ofMillis(30));
        int calls = 2_000;
        CountDownLatch slowWritten = new CountDownLatch(calls / 10);
        List<Future<String>> outcomes = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < calls; i++) {
                boolean slow = i % 10 == 0;
                outcomes.add(threads.submit(() -> {
                    AtomicInteger writes = new AtomicInteger();
                    SendingMarks.Mark mark = marks.mark(() -> {
                        writes.incrementAndGet();
                        if (slow) {
                            slowWritten.countDown();
                        }
                        return true;
                    });
                    mark.start();
                    if (slow) { // still running when its time comes: it ends once its SENDING is written
                        slowWritten.await(10, TimeUnit.SECONDS);
                    }
                    boolean written = mark.settle();
                    // A quick call is over before its time unless the machine stalled its thread in between.
                    return (slow ? "slow " : "quick ") + written + " " + writes.get();
                }));
                if (i % 500 == 499) {
                    Thread.sleep(100); // the queue empties between bursts, and its checks start again
                }
            }
        }

        for (int i = 0; i < calls; i++) {
            String outcome = outcomes.get(i).get();
            if (i % 10 == 0) {
                assertThat(outcome).isEqualTo("slow true 1");
            } else {
                assertThat(outcome).isIn("quick false 0", "quick true 1");
            }
        }
    }
}

package dev.plumber.intake;

import dev.plumber.intake.EventProcessor.Result;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** What the poll loop hands each record to, on a worker thread. */
@FunctionalInterface
public interface RecordHandler {
    /**
     * Takes the record to a durable terminal status ({@link Result#DONE}) or says it must be tried again after
     * {@code retryDelay}. It never throws and its result never fails; the result may complete later, on another thread.
     * {@code seenBefore} is false only for a record that no consumer of the group can have been handed before: one past
     * the end of its partition when the partition was assigned here, fetched for the first time.
     */
    CompletableFuture<Result> process(ConsumerRecord<byte[], byte[]> record, Duration retryDelay, boolean seenBefore);
}

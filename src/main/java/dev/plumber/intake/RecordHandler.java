package dev.plumber.intake;

import dev.plumber.intake.EventProcessor.Result;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** What the poll loop hands each record to, on a worker thread. */
@FunctionalInterface
public interface RecordHandler {
    /**
     * Takes the record to a durable terminal status ({@link Result#DONE}) or says it must be tried again after
     * {@code retryDelay}; never throws.
     */
    Result process(ConsumerRecord<byte[], byte[]> record, Duration retryDelay);
}

package dev.plumber.intake;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Writes an event that cannot be delivered to the dead-letter topic, unchanged, with headers saying where it came
 * from and why; returns only once the broker has it, so the offset commit can follow.
 */
public final class DeadLetters {
    public static final String ORIGINAL_TOPIC = "plumber.original.topic";
    public static final String ORIGINAL_PARTITION = "plumber.original.partition";
    public static final String ORIGINAL_OFFSET = "plumber.original.offset";
    public static final String ERROR_CLASS = "plumber.error.class";
    public static final String ERROR_MESSAGE = "plumber.error.message";
    public static final String STAGE = "plumber.stage";
    public static final String ATTEMPTS = "plumber.attempts";

    /** Told of each dead letter once the broker has it (e.g. to journal it); must not throw. */
    @FunctionalInterface
    public interface Listener {
        void written(ConsumerRecord<byte[], byte[]> record, String errorClass, String message, String stage);
    }

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final Listener listener;

    public DeadLetters(Producer<byte[], byte[]> producer, String topic) {
        this(producer, topic, (record, errorClass, message, stage) -> {});
    }

    public DeadLetters(Producer<byte[], byte[]> producer, String topic, Listener listener) {
        this.producer = producer;
        this.topic = topic;
        this.listener = listener;
    }

    public void send(
            ConsumerRecord<byte[], byte[]> record, String errorClass, String message, String stage, int attempts)
            throws ExecutionException, InterruptedException, TimeoutException {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topic, record.key(), record.value());
        Headers headers = letter.headers();
        record.headers().forEach(headers::add);
        put(headers, ORIGINAL_TOPIC, record.topic());
        put(headers, ORIGINAL_PARTITION, Integer.toString(record.partition()));
        put(headers, ORIGINAL_OFFSET, Long.toString(record.offset()));
        put(headers, ERROR_CLASS, errorClass);
        put(headers, ERROR_MESSAGE, message == null ? "" : message);
        put(headers, STAGE, stage);
        put(headers, ATTEMPTS, Integer.toString(attempts));
        producer.send(letter).get(30, TimeUnit.SECONDS);
        listener.written(record, errorClass, message, stage);
    }

    private static void put(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}

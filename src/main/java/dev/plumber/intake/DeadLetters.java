package dev.plumber.intake;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Writes an event that cannot be delivered to the dead-letter topic, unchanged, with headers saying where it came
 * from and why; returns only once the broker has it, so the offset commit can follow. A record too large for a letter
 * is cut (see {@link #MAX_RECORD_BYTES}).
 */
public final class DeadLetters {
    public static final String ORIGINAL_TOPIC = "plumber.original.topic";
    public static final String ORIGINAL_PARTITION = "plumber.original.partition";
    public static final String ORIGINAL_OFFSET = "plumber.original.offset";
    public static final String ERROR_CLASS = "plumber.error.class";
    public static final String ERROR_MESSAGE = "plumber.error.message";
    public static final String STAGE = "plumber.stage";
    public static final String ATTEMPTS = "plumber.attempts";
    /** The size of the record's value in bytes. */
    public static final String ORIGINAL_SIZE = "plumber.original.size";
    /** {@code true} on a letter that holds only the start of the record: the whole is at the original coordinates. */
    public static final String TRUNCATED = "plumber.truncated";

    /**
     * The most of a record — key, value and its own headers — that a letter carries whole. Kafka refuses a record over
     * 1 MiB by default, in the producer ({@code max.request.size}) and the broker ({@code message.max.bytes}) alike, and
     * a letter that cannot be written was tried again for ever, its event never decided and its partition held up.
     * Every event the gateway can read is at most 256 KiB, and goes whole.
     */
    static final int MAX_RECORD_BYTES = 512 * 1024;

    /** What a cut letter keeps of a larger record's key, of its value and of its headers: enough to tell what it was. */
    static final int KEPT_BYTES = 64 * 1024;

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
        boolean cut = size(record.key()) + size(record.value()) + size(record.headers()) > MAX_RECORD_BYTES;
        ProducerRecord<byte[], byte[]> letter = cut
                ? new ProducerRecord<>(topic, start(record.key()), start(record.value()))
                : new ProducerRecord<>(topic, record.key(), record.value());
        Headers headers = letter.headers();
        int headerBytes = 0;
        for (Header h : record.headers()) {
            headerBytes += size(h);
            if (!cut || headerBytes <= KEPT_BYTES) {
                headers.add(h);
            }
        }
        put(headers, ORIGINAL_TOPIC, record.topic());
        put(headers, ORIGINAL_PARTITION, Integer.toString(record.partition()));
        put(headers, ORIGINAL_OFFSET, Long.toString(record.offset()));
        put(headers, ORIGINAL_SIZE, Integer.toString(size(record.value())));
        put(headers, ERROR_CLASS, errorClass);
        put(headers, ERROR_MESSAGE, message == null ? "" : message);
        put(headers, STAGE, stage);
        put(headers, ATTEMPTS, Integer.toString(attempts));
        if (cut) {
            put(headers, TRUNCATED, "true");
        }
        producer.send(letter).get(30, TimeUnit.SECONDS);
        listener.written(record, errorClass, message, stage);
    }

    /** Whether {@code letter} holds only the start of its record. */
    public static boolean truncated(ConsumerRecord<byte[], byte[]> letter) {
        Header h = letter.headers().lastHeader(TRUNCATED);
        return h != null && "true".equals(new String(h.value(), StandardCharsets.UTF_8));
    }

    private static byte[] start(byte[] bytes) {
        return bytes == null || bytes.length <= KEPT_BYTES ? bytes : Arrays.copyOf(bytes, KEPT_BYTES);
    }

    private static int size(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static int size(Header h) {
        return h.key().length() + size(h.value());
    }

    private static long size(Headers headers) {
        long size = 0;
        for (Header h : headers) {
            size += size(h);
        }
        return size;
    }

    private static void put(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}

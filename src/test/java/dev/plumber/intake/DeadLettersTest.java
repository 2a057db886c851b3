package dev.plumber.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final DeadLetters deadLetters = new DeadLetters(producer, "dlp.requests.dlq");

    @Test
    void aLetterCarriesTheRecordWholeWithWhereItCameFromAndWhy() throws Exception {
        byte[] value = "{\"v\":1,\"type\":\"sms\"}".getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> record = record(bytes(3, 'k'), value, 1_000);

        deadLetters.send(record, "MalformedEvent", "unknown event type 'sms'", "decode", 0);

        ProducerRecord<byte[], byte[]> letter = producer.history().getFirst();
        assertThat(letter.topic()).isEqualTo("dlp.requests.dlq");
        assertThat(letter.key()).isEqualTo(bytes(3, 'k'));
        assertThat(letter.value()).isEqualTo(value);
        assertThat(header(letter, "trace")).contains("x".repeat(1_000));
        assertThat(header(letter, DeadLetters.ORIGINAL_TOPIC)).contains("dlp.requests");
        assertThat(header(letter, DeadLetters.ORIGINAL_PARTITION)).contains("2");
        assertThat(header(letter, DeadLetters.ORIGINAL_OFFSET)).contains("17");
        assertThat(header(letter, DeadLetters.ORIGINAL_SIZE)).contains(Integer.toString(value.length));
        assertThat(header(letter, DeadLetters.ERROR_CLASS)).contains("MalformedEvent");
        assertThat(header(letter, DeadLetters.ERROR_MESSAGE)).contains("unknown event type 'sms'");
        assertThat(header(letter, DeadLetters.STAGE)).contains("decode");
        assertThat(header(letter, DeadLetters.ATTEMPTS)).contains("0");
        assertThat(header(letter, DeadLetters.TRUNCATED)).isEmpty();
    }

    /**
     * Kafka refuses a record over 1 MiB by default: a 2 MiB event's letter, sent whole, failed on every try and held
     * its partition for good. It keeps the start of the record, says so, and where the whole is.
     */
    @Test
    void aRecordTooLargeForALetterIsCutAndSaysSo() throws Exception {
        byte[] value = bytes(2 << 20, 'v');
        ConsumerRecord<byte[], byte[]> record = record(bytes(200_000, 'k'), value, 100_000);

        deadLetters.send(record, "MalformedEvent", "event value of 2097152 bytes exceeds the limit", "decode", 0);

        ProducerRecord<byte[], byte[]> letter = producer.history().getFirst();
        assertThat(letter.value()).isEqualTo(Arrays.copyOf(value, DeadLetters.KEPT_BYTES));
        assertThat(letter.key()).hasSize(DeadLetters.KEPT_BYTES);
        assertThat(header(letter, DeadLetters.TRUNCATED)).contains("true");
        assertThat(header(letter, DeadLetters.ORIGINAL_SIZE)).contains(Integer.toString(2 << 20));
        assertThat(header(letter, DeadLetters.ORIGINAL_OFFSET)).contains("17");
        assertThat(header(letter, DeadLetters.ERROR_MESSAGE))
                .contains("event value of 2097152 bytes exceeds the limit");
        // Of the record's own headers, those that fit in what a cut letter keeps.
        assertThat(header(letter, "trace")).isEmpty();
        assertThat(DeadLetters.truncated(asConsumed(letter))).isTrue();
        assertThat(DeadLetters.truncated(record)).isFalse();
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value, int traceBytes) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace", bytes(traceBytes, 'x'));
        return new ConsumerRecord<>(
                "dlp.requests",
                2,
                17,
                0L,
                TimestampType.CREATE_TIME,
                key.length,
                value.length,
                key,
                value,
                headers,
                Optional.empty());
    }

    private static ConsumerRecord<byte[], byte[]> asConsumed(ProducerRecord<byte[], byte[]> letter) {
        return new ConsumerRecord<>(
                letter.topic(),
                0,
                0,
                0L,
                TimestampType.CREATE_TIME,
                letter.key().length,
                letter.value().length,
                letter.key(),
                letter.value(),
                letter.headers(),
                Optional.empty());
    }

    private static Optional<String> header(ProducerRecord<byte[], byte[]> letter, String name) {
        var h = letter.headers().lastHeader(name);
        return h == null ? Optional.empty() : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }

    private static byte[] bytes(int n, char c) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }
}

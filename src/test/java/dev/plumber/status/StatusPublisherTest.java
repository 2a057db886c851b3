package dev.plumber.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plumber.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class StatusPublisherTest {
    private static final Instant NOW = Instant.parse("2026-12-02T03:15:00.123Z");

    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final StatusPublisher publisher =
            new StatusPublisher(producer, "dlp.status", Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aMessagesStatusIsOneRecordKeyedByItsEventId() throws Exception {
        publisher.publish(
                "e-1", Status.BLOCKED, "message", 42L, "chat-7", "403 Forbidden; X-Block-Reason: card \"4111\"");

        ProducerRecord<byte[], byte[]> sent = producer.history().getFirst();
        assertThat(sent.topic()).isEqualTo("dlp.status");
        assertThat(new String(sent.key(), StandardCharsets.UTF_8)).isEqualTo("e-1");
        JsonNode record = Json.MAPPER.readTree(sent.value());
        assertThat(record.properties())
                .extracting(java.util.Map.Entry::getKey)
                .containsExactly("v", "id", "status", "type", "mid", "chat", "reason", "ts");
        assertThat(record.get("v").asInt()).isEqualTo(1);
        assertThat(record.get("id").asText()).isEqualTo("e-1");
        assertThat(record.get("status").asText()).isEqualTo("BLOCKED");
        assertThat(record.get("type").asText()).isEqualTo("message");
        assertThat(record.get("mid").asLong()).isEqualTo(42);
        assertThat(record.get("chat").asText()).isEqualTo("chat-7");
        assertThat(record.get("reason").asText()).isEqualTo("403 Forbidden; X-Block-Reason: card \"4111\"");
        assertThat(record.get("ts").asText()).isEqualTo("2026-12-02T03:15:00.123Z");
    }

    @Test
    void aFilesStatusHasNoMidAndNullsWhereNothingIsKnown() throws Exception {
        publisher.publish("e-2", Status.ALLOWED, "file", null, null, null);

        JsonNode record = Json.MAPPER.readTree(producer.history().getFirst().value());
        assertThat(record.has("mid")).isFalse();
        assertThat(record.get("chat").isNull()).isTrue();
        assertThat(record.get("reason").isNull()).isTrue();
        assertThat(record.get("status").asText()).isEqualTo("ALLOWED");
        assertThat(record.get("type").asText()).isEqualTo("file");
    }
}

package dev.plumber.status;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plumber.event.Timestamps;
import dev.plumber.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes every status change to the status topic, keyed by event id, for the messenger core. The events' outcomes
 * are sent by the two status flushers, and only a {@code SENDING}, a malformed event's status or a retry for want of
 * settings by an event's own thread, so sends are seldom at once: no turn-taking in front of the producer's monitors,
 * which a flusher would wait on with its batch.
 */
public final class StatusPublisher {
    private static final Logger log = LoggerFactory.getLogger(StatusPublisher.class);
    private static final ObjectMapper JSON = Json.MAPPER;

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final Clock clock;

    public StatusPublisher(Producer<byte[], byte[]> producer, String topic, Clock clock) {
        this.producer = producer;
        this.topic = topic;
        this.clock = clock;
    }

    public void publish(String eventId, Status status, String type, Long mid, String chat, String reason) {
        byte[] value = record(eventId, status, type, mid, chat, reason);
        ProducerRecord<byte[], byte[]> record =
                new ProducerRecord<>(topic, eventId.getBytes(java.nio.charset.StandardCharsets.UTF_8), value);
        // The status store is the record of truth; the topic is a notification, so a failed send is logged, not fatal.
        producer.send(record, (m, e) -> {
            if (e != null) {
                log.warn("status {} of event {} not published to {}: {}", status, eventId, topic, e.toString());
            }
        });
    }

    /** The record the core reads, written field by field: a JSON tree per event cost more than the writing. */
    private byte[] record(String eventId, Status status, String type, Long mid, String chat, String reason) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(192);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", 1);
            g.writeStringField("id", eventId);
            g.writeStringField("status", status.name());
            g.writeStringField("type", type);
            if (mid != null) {
                g.writeNumberField("mid", mid);
            }
            g.writeStringField("chat", chat);
            g.writeStringField("reason", reason);
            g.writeStringField("ts", Timestamps.format(clock.instant()));
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return out.toByteArray();
    }
}

package dev.plumber.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plumber.json.Json;
import java.time.Clock;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Publishes every status change to the status topic, keyed by event id, for the messenger core. */
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
        ObjectNode node = JSON.createObjectNode();
        node.put("v", 1);
        node.put("id", eventId);
        node.put("status", status.name());
        node.put("type", type);
        if (mid != null) {
            node.put("mid", mid);
        }
        node.put("chat", chat);
        node.put("reason", reason);
        node.put("ts", clock.instant().toString());
        byte[] value;
        try {
            value = JSON.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot happen: a tree always serialises", e);
        }
        // The status store is the record of truth; the topic is a notification, so a failed send is logged, not fatal.
        producer.send(
                new ProducerRecord<>(topic, eventId.getBytes(java.nio.charset.StandardCharsets.UTF_8), value),
                (m, e) -> {
                    if (e != null) {
                        log.warn("status {} of event {} not published to {}: {}", status, eventId, topic, e.toString());
                    }
                });
    }
}

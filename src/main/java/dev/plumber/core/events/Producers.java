package dev.plumber.core.events;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The core's Kafka producers: idempotent, {@code acks=all}, with the time limits of their use. */
final class Producers {
    private Producers() {}

    /**
     * For produces inside a user's request: every client-side limit is the resort timeout, so the record is given up
     * by the producer at about the time the request gives up on it.
     */
    static Producer<String, byte[]> synchronous(String bootstrapServers, Duration timeout) {
        int ms = (int) Math.max(1, timeout.toMillis());
        return create(bootstrapServers, "plumber-core-sync", ms, ms, ms);
    }

    /** For the outbox relay: short blocking so it notices a broker outage, retries inside the delivery timeout. */
    static Producer<String, byte[]> relay(String bootstrapServers) {
        return create(bootstrapServers, "plumber-core-outbox", 5_000, 10_000, 30_000);
    }

    private static Producer<String, byte[]> create(
            String bootstrapServers, String clientId, int maxBlockMs, int requestTimeoutMs, int deliveryTimeoutMs) {
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, clientId,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlockMs,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeoutMs,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryTimeoutMs);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}

package dev.plumber.core.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plumber.core.CoreConfig;
import dev.plumber.core.store.Database;
import dev.plumber.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the gateway's status changes ({@code dlp.status}: {@code {"v":1,"id","status","type","mid","chat","reason"}},
 * keyed by event id) on a virtual thread and records them against the events this core produced. Offsets are
 * committed after the database update, so a restart re-reads rather than loses a status.
 */
public final class StatusConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusConsumer.class);
    private static final ObjectMapper JSON = Json.MAPPER;

    private final Database db;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Duration retryDelay;
    private final Consumer<DlpChecks.BlockedMessage> onBlocked;
    private final Thread thread;
    private volatile boolean running = true;

    private StatusConsumer(
            Database db,
            KafkaConsumer<byte[], byte[]> consumer,
            String topic,
            Duration retryDelay,
            Consumer<DlpChecks.BlockedMessage> onBlocked) {
        this.db = db;
        this.onBlocked = onBlocked;
        this.consumer = consumer;
        this.topic = topic;
        this.retryDelay = retryDelay;
        this.thread = Thread.ofVirtual().name("core-status-consumer").unstarted(this::run);
    }

    /** Starts consuming; {@code onBlocked} hears of each message newly blocked, after it was recorded. */
    public static StatusConsumer start(
            CoreConfig.Kafka kafka, Database db, Consumer<DlpChecks.BlockedMessage> onBlocked) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                kafka.groupId(),
                ConsumerConfig.CLIENT_ID_CONFIG,
                "plumber-core-status",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        StatusConsumer consumer = new StatusConsumer(
                db,
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                kafka.topics().status(),
                Duration.ofSeconds(1),
                onBlocked);
        consumer.thread.start();
        return consumer;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic));
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    List<DlpChecks.BlockedMessage> blocked = db.inTransaction(c -> {
                        List<DlpChecks.BlockedMessage> newlyBlocked = new ArrayList<>();
                        for (ConsumerRecord<byte[], byte[]> record : records) {
                            apply(c, record.value()).ifPresent(newlyBlocked::add);
                        }
                        return newlyBlocked;
                    });
                    consumer.commitSync();
                    blocked.forEach(onBlocked);
                } catch (java.sql.SQLException e) {
                    LOG.warn("status changes not recorded, re-reading in {}: {}", retryDelay, e.toString());
                    rewind(records);
                    pause();
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop.
        } catch (RuntimeException e) {
            if (running) {
                LOG.error("the status consumer stopped", e);
            }
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    private static Optional<DlpChecks.BlockedMessage> apply(java.sql.Connection c, byte[] value)
            throws java.sql.SQLException {
        JsonNode node;
        UUID id;
        try {
            node = JSON.readTree(value);
            id = UUID.fromString(node.path("id").asText());
        } catch (java.io.IOException | IllegalArgumentException | NullPointerException e) {
            LOG.warn("skipped an unreadable status record: {}", e.toString());
            return Optional.empty();
        }
        String status = node.path("status").asText(null);
        if (status == null) {
            return Optional.empty();
        }
        String reason = node.path("reason").isTextual() ? node.path("reason").textValue() : null;
        if (reason != null && reason.indexOf('\0') >= 0) {
            // PostgreSQL's text cannot hold U+0000: the update would fail on every re-read, holding every status
            // behind.
            reason = reason.replace('\0', '\uFFFD');
        }
        return DlpChecks.update(c, id, status, reason);
    }

    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (var partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).getFirst().offset());
        }
    }

    private void pause() {
        try {
            Thread.sleep(retryDelay);
        } catch (InterruptedException e) {
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

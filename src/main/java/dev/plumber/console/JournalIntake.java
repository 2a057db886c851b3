package dev.plumber.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plumber.json.Json;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the core's journals ({@code admin-events}, {@code system-events}) into {@link Journals}. Entries are
 * committed to Kafka only after they are stored, and stored once per id, so a restart neither loses nor doubles them.
 * An entry that is not JSON is stored with its raw text, so nothing the core journaled goes missing.
 */
public final class JournalIntake implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JournalIntake.class);
    private static final ObjectMapper JSON = Json.MAPPER;

    private final Consumer<byte[], byte[]> consumer;
    private final String adminTopic;
    private final String systemTopic;
    private final Journals journals;
    private volatile boolean closed;

    public JournalIntake(Consumer<byte[], byte[]> consumer, String adminTopic, String systemTopic, Journals journals) {
        this.consumer = consumer;
        this.adminTopic = adminTopic;
        this.systemTopic = systemTopic;
        this.journals = journals;
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(adminTopic, systemTopic));
            while (!closed) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofSeconds(1));
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        journals.add(entry(record, record.topic().equals(adminTopic) ? "admin" : "system"));
                    }
                    consumer.commitSync();
                } catch (java.sql.SQLException e) {
                    // Not committed: rewind to the last commit and read these entries again after a pause.
                    log.warn("journal entries not stored, will retry: {}", e.toString());
                    for (var partition : records.partitions()) {
                        consumer.seek(
                                partition, records.records(partition).get(0).offset());
                    }
                    Thread.sleep(1_000);
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close();
        }
    }

    /** An entry of {@code journal} ("admin" or "system") unless it names its own. */
    static Journals.Entry entry(ConsumerRecord<byte[], byte[]> record, String journal) {
        String fallbackId = UUID.nameUUIDFromBytes(
                        (record.topic() + "/" + record.partition() + "/" + record.offset()).getBytes())
                .toString();
        String raw = record.value() == null ? "" : new String(record.value(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            JsonNode node = JSON.readTree(raw);
            if (node == null || !node.isObject()) {
                throw new IOException("not a JSON object");
            }
            JsonNode details = node.get("details");
            return new Journals.Entry(
                    text(node, "id", fallbackId),
                    text(node, "journal", journal),
                    text(node, "action", "unknown"),
                    text(node, "actor", null),
                    text(node, "target", null),
                    text(node, "ip", null),
                    instant(node.path("ts").asText(null), record.timestamp()),
                    details == null || details.isNull() ? null : details.toString());
        } catch (IOException e) {
            return new Journals.Entry(
                    fallbackId, journal, "unreadable", null, null, null, Instant.ofEpochMilli(record.timestamp()), raw);
        }
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? fallback : value.asText();
    }

    private static Instant instant(String ts, long recordTimestamp) {
        try {
            return ts == null ? Instant.ofEpochMilli(recordTimestamp) : Instant.parse(ts);
        } catch (DateTimeParseException e) {
            return Instant.ofEpochMilli(recordTimestamp);
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
    }
}

package dev.plumber.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plumber.console.Journals;
import dev.plumber.event.EventCodec;
import dev.plumber.json.Json;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the gateway itself did that auditors should see beside the core's journals: a DLP address's circuit breaker
 * opening and closing (when the DLP stopped being asked, and when again), and each event sent to the dead-letter
 * topic. Entries go to the console's journal with actor {@code gateway}; a failed write is logged, never passed on.
 */
final class OperationsJournal {
    private static final Logger log = LoggerFactory.getLogger(OperationsJournal.class);
    private static final ObjectMapper JSON = Json.MAPPER;

    private final Journals journals;
    private final String replica;
    private final Clock clock;

    OperationsJournal(Journals journals, String replica, Clock clock) {
        this.journals = journals;
        this.replica = replica;
        this.clock = clock;
    }

    /** The breaker of {@code address} went to {@code state} (OPEN, HALF_OPEN, CLOSED). */
    void breaker(String address, String state) {
        add("dlp.breaker." + state.toLowerCase(java.util.Locale.ROOT), address, Map.of("replica", replica));
    }

    /** An event went to the dead-letter topic. */
    void deadLetter(ConsumerRecord<byte[], byte[]> record, String errorClass, String message, String stage) {
        String id = EventCodec.idOf(record.value());
        String at = record.topic() + "-" + record.partition() + "@" + record.offset();
        add(
                "dlq.write",
                id == null ? at : id,
                Map.of(
                        "replica", replica,
                        "offset", at,
                        "errorClass", errorClass,
                        "error", message == null ? "" : message,
                        "stage", stage));
    }

    private void add(String action, String target, Map<String, String> details) {
        try {
            journals.console(action, "gateway", target, null, JSON.writeValueAsString(details), clock.instant());
        } catch (SQLException | RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
            log.warn("journal entry {} for {} not written: {}", action, target, e.toString());
        }
    }
}

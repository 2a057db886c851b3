package dev.plumber.core.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plumber.core.CoreConfig;
import dev.plumber.core.store.Database;
import dev.plumber.core.store.MessageCipher;
import dev.plumber.json.Json;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;

/**
 * The core's journals (seed: Kafka topics {@code admin-events} and {@code system-events}, read by the DLP console):
 * administrators' actions, and sign-ins and service start/stop. Entries go through the outbox, so they are written
 * with the action they describe and survive a Kafka outage. Value:
 * {@code {"v":1,"id","journal":"admin"|"system","action","actor","target","ip","ts","details":{}}}, keyed by actor.
 */
public final class Journal {
    private static final ObjectMapper JSON = Json.MAPPER;

    /**
     * The longest actor, target or IP an entry carries, in characters: an e-mail has at most 254 (RFC 5321), so only
     * a caller's bug reaches it. The actor is also the record's key, and a record Kafka refuses as too large is parked.
     */
    static final int MAX_FIELD = 320;

    /** The largest entry, in bytes; details that would make it larger are left out and their size noted instead. */
    static final int MAX_ENTRY_BYTES = 16 * 1024;

    private final Database db;
    private final MessageCipher cipher;
    private final OutboxRelay relay;
    private final String adminTopic;
    private final String systemTopic;
    private final Clock clock;

    Journal(Database db, MessageCipher cipher, OutboxRelay relay, CoreConfig.Topics topics, Clock clock) {
        this.db = db;
        this.cipher = cipher;
        this.relay = relay;
        this.adminTopic = topics.adminEvents();
        this.systemTopic = topics.systemEvents();
        this.clock = clock;
    }

    /** An entry of an administrator's action, inside the action's own transaction. */
    public void admin(Connection tx, String action, String actor, String target, String ip, Map<String, ?> details)
            throws SQLException {
        append(tx, adminTopic, "admin", action, actor, target, ip, details);
    }

    /** A system entry (sign-in, sign-out, start, stop) in a transaction of its own. */
    public void system(String action, String actor, String ip, Map<String, ?> details) throws SQLException {
        db.inTransaction(c -> {
            append(c, systemTopic, "system", action, actor, null, ip, details);
            return null;
        });
        relay.wake();
    }

    /** Call after a transaction holding {@link #admin} entries committed. */
    public void committed() {
        relay.wake();
    }

    private void append(
            Connection tx,
            String topic,
            String journal,
            String action,
            String actor,
            String target,
            String ip,
            Map<String, ?> details)
            throws SQLException {
        ObjectNode entry = JSON.createObjectNode();
        entry.put("v", 1);
        entry.put("id", UUID.randomUUID().toString());
        entry.put("journal", journal);
        entry.put("action", action);
        entry.put("actor", bounded(actor));
        entry.put("target", bounded(target));
        entry.put("ip", bounded(ip));
        entry.put("ts", clock.instant().toString());
        entry.set("details", JSON.valueToTree(details));
        byte[] value = bytes(entry);
        if (value.length > MAX_ENTRY_BYTES) {
            entry.set("details", JSON.createObjectNode().put("omittedBytes", value.length));
            value = bytes(entry);
        }
        String key = actor == null ? "core" : bounded(actor);
        Outbox.add(tx, cipher, topic, key, value);
    }

    private static String bounded(String value) {
        return value == null || value.length() <= MAX_FIELD ? value : value.substring(0, MAX_FIELD) + "…";
    }

    private static byte[] bytes(ObjectNode entry) {
        try {
            return JSON.writeValueAsBytes(entry);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("journal details must be plain JSON values", e);
        }
    }
}

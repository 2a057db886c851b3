package dev.plumber.core.events;

import dev.plumber.core.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The outbox rows Kafka refused for good, for an operator: each is an event the DLP (or a journal's reader) never
 * saw. They are listed, and once the cause is fixed moved back into the outbox, where the relay sends them, or parks
 * them again with the new reason if the cause is still there.
 */
public final class ParkedEvents {
    private final Database db;

    public ParkedEvents(Database db) {
        this.db = db;
    }

    /** A parked row without its value; {@code key} is cut at 80 characters, {@code bytes} is the sealed size. */
    public record Parked(
            long id, String topic, String key, int bytes, Instant createdAt, Instant parkedAt, String reason) {}

    /** Every parked row, oldest first. */
    public List<Parked> list() throws SQLException {
        return db.autoCommit(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id, topic, event_key, octet_length(value),"
                            + " created_at, parked_at, reason FROM core.outbox_parked ORDER BY id");
                    ResultSet rs = s.executeQuery()) {
                List<Parked> parked = new ArrayList<>();
                while (rs.next()) {
                    parked.add(new Parked(
                            rs.getLong(1),
                            rs.getString(2),
                            Outbox.shortKey(rs.getString(3)),
                            rs.getInt(4),
                            rs.getTimestamp(5).toInstant(),
                            rs.getTimestamp(6).toInstant(),
                            rs.getString(7)));
                }
                return parked;
            }
        });
    }

    /**
     * Moves every parked row back into the outbox in one transaction and returns how many. A running core's relay
     * sends them at its next look (within a second), in their original order and with their event ids.
     */
    public int requeue() throws SQLException {
        return db.inTransaction(Outbox::unpark);
    }
}

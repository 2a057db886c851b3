package dev.plumber.status;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/**
 * One row of the status store, as the API and the console show it; {@code nextAttemptAt} set while RETRYING. A new
 * column is a component here, a name in {@link #COLUMNS} and a line in {@link #read}: both views then have it.
 */
public record RequestRecord(
        String id,
        String type,
        Status status,
        Long mid,
        String chat,
        String sender,
        String hash,
        String fileName,
        String reason,
        String dlpSystem,
        String dlpAddress,
        String dlpReference,
        int attempts,
        String lastError,
        Instant nextAttemptAt,
        String topic,
        int partition,
        long offset,
        Instant eventTs,
        Instant receivedAt,
        Instant updatedAt,
        Instant completedAt) {

    /** The columns of {@code gateway.requests} that {@link #read} needs, for a query that selects them by name. */
    public static final String COLUMNS = "event_id, type, status, mid, chat, sender, file_hash, file_name, reason,"
            + " dlp_system, dlp_address, dlp_reference, attempts, last_error, next_attempt_at, kafka_topic,"
            + " kafka_partition, kafka_offset, event_ts, received_at, updated_at, completed_at";

    /** The row at {@code r}'s cursor, read by column name (it may hold more columns than {@link #COLUMNS}). */
    public static RequestRecord read(ResultSet r) throws SQLException {
        return new RequestRecord(
                r.getString("event_id"),
                r.getString("type"),
                Status.valueOf(r.getString("status")),
                r.getObject("mid", Long.class),
                r.getString("chat"),
                r.getString("sender"),
                r.getString("file_hash"),
                r.getString("file_name"),
                r.getString("reason"),
                r.getString("dlp_system"),
                r.getString("dlp_address"),
                r.getString("dlp_reference"),
                r.getInt("attempts"),
                r.getString("last_error"),
                instant(r, "next_attempt_at"),
                r.getString("kafka_topic"),
                r.getInt("kafka_partition"),
                r.getLong("kafka_offset"),
                instant(r, "event_ts"),
                instant(r, "received_at"),
                instant(r, "updated_at"),
                instant(r, "completed_at"));
    }

    private static Instant instant(ResultSet r, String column) throws SQLException {
        Timestamp t = r.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    /** Another request about the same file: the file for a message, a message that carried it for a file. */
    public record Linked(String id, String type, Status status, Instant receivedAt) {}

    /** A request as {@code GET /api/v1/requests/{eventId}} shows it: the row and the requests linked by file hash. */
    public record Detail(@JsonUnwrapped RequestRecord request, List<Linked> linked) {}
}

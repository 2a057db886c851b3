package dev.plumber.status;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.Instant;
import java.util.List;

/** One row of the status store, as the API and the console show it; {@code nextAttemptAt} set while RETRYING. */
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

    /** Another request about the same file: the file for a message, a message that carried it for a file. */
    public record Linked(String id, String type, Status status, Instant receivedAt) {}

    /** A request as {@code GET /api/v1/requests/{eventId}} shows it: the row and the requests linked by file hash. */
    public record Detail(@JsonUnwrapped RequestRecord request, List<Linked> linked) {}
}

package dev.plumber.status;

import java.time.Instant;

/** One row of the status store, as the API and the console show it. */
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
        String topic,
        int partition,
        long offset,
        Instant eventTs,
        Instant receivedAt,
        Instant updatedAt,
        Instant completedAt) {}

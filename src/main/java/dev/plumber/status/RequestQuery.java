package dev.plumber.status;

import java.time.Instant;

/** A filter over the status store; null fields do not filter. */
public record RequestQuery(
        Status status,
        String type,
        String sender,
        String chat,
        Long mid,
        String hash,
        Instant from,
        Instant to,
        int limit,
        int offset) {

    public static final int MAX_LIMIT = 500;

    public RequestQuery {
        if (limit <= 0) {
            limit = 50;
        }
        limit = Math.min(limit, MAX_LIMIT);
        offset = Math.max(offset, 0);
    }
}

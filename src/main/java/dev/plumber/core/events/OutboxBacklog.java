package dev.plumber.core.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * How far the outbox relay is behind, for the core's meters: the rows waiting, the age of the oldest of them and the
 * rows parked, read in one statement that stays cheap however large a Kafka outage let the outbox grow.
 */
public final class OutboxBacklog {
    /**
     * Waiting rows are counted one by one up to this many; beyond, the count is the span of their ids (the relay sends
     * and deletes them in id order), an upper bound by the few ids rolled-back transactions and parked rows left out.
     */
    static final int COUNTED = 10_000;

    private OutboxBacklog() {}

    /** One reading; {@code oldestAgeSeconds} is 0 when nothing waits. */
    public record Reading(double rows, double oldestAgeSeconds, double parkedRows) {
        /** While the database cannot tell: Prometheus shows NaN rather than a stale number. */
        public static final Reading UNKNOWN = new Reading(Double.NaN, Double.NaN, Double.NaN);
    }

    /**
     * The oldest row is found by the primary key's index, and the age taken on the database's clock, the one that
     * stamped {@code created_at}. Parked rows are few by nature (each is an event Kafka refused for good).
     */
    public static Reading read(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT"
                        + " (SELECT count(*) FROM (SELECT 1 FROM core.outbox LIMIT " + (COUNTED + 1) + ") AS counted),"
                        + " (SELECT max(id) - min(id) + 1 FROM core.outbox),"
                        + " (SELECT extract(epoch FROM now() - created_at) FROM core.outbox ORDER BY id LIMIT 1),"
                        + " (SELECT count(*) FROM core.outbox_parked)");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            long counted = rs.getLong(1);
            long rows = counted <= COUNTED ? counted : Math.max(counted, rs.getLong(2));
            return new Reading(rows, Math.max(0, rs.getDouble(3)), rs.getLong(4));
        }
    }
}

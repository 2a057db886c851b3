package dev.plumber.core.events;

import dev.plumber.core.store.MessageCipher;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The transactional outbox table: events written with the data they describe, sent later in id order. */
final class Outbox {
    private Outbox() {}

    record Row(long id, String topic, String key, byte[] value) {}

    /** Adds a row, its value sealed with {@code cipher} to its topic and key ({@link #open} unseals it). */
    static void add(Connection c, MessageCipher cipher, String topic, String key, byte[] value) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("INSERT INTO core.outbox (topic, event_key, value) VALUES (?, ?, ?)")) {
            s.setString(1, topic);
            s.setString(2, key);
            s.setBytes(3, cipher.encrypt(value, associatedData(topic, key)));
            s.executeUpdate();
        }
    }

    /** Arbitrary but fixed: the advisory lock key of the outbox relay ("plumber" in ASCII, as a number). */
    private static final long RELAY_LOCK = 0x706c756d626572L;

    /** Takes the relay's lock until the end of the transaction, or returns false when another relay holds it. */
    static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            s.setLong(1, RELAY_LOCK);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    static List<Row> oldest(Connection c, int limit) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT id, topic, event_key, value FROM core.outbox ORDER BY id LIMIT ?")) {
            s.setInt(1, limit);
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(4)));
                }
            }
            return rows;
        }
    }

    /** By id, not by range: a row with a lower id may commit after a higher one was sent. */
    static void delete(Connection c, List<Long> ids) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM core.outbox WHERE id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            s.executeUpdate();
        }
    }

    /** Moves a row Kafka refused for good to {@code core.outbox_parked}, with the reason. */
    static void park(Connection c, long id, String reason) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("WITH moved AS (DELETE FROM core.outbox WHERE id = ?"
                + " RETURNING id, topic, event_key, value, created_at)"
                + " INSERT INTO core.outbox_parked (id, topic, event_key, value, created_at, reason)"
                + " SELECT id, topic, event_key, value, created_at, ? FROM moved")) {
            s.setLong(1, id);
            s.setString(2, reason);
            s.executeUpdate();
        }
    }

    /**
     * Moves every parked row back, undoing {@link #park}: with its id, so the relay sends it in its original place in
     * id order, and its key and sealed value as they were, so the event keeps its id for the gateway to recognise.
     * Returns how many rows were moved.
     */
    static int unpark(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("WITH moved AS (DELETE FROM core.outbox_parked"
                + " RETURNING id, topic, event_key, value, created_at)"
                + " INSERT INTO core.outbox (id, topic, event_key, value, created_at)"
                + " SELECT id, topic, event_key, value, created_at FROM moved")) {
            return s.executeUpdate();
        }
    }

    /** A key short enough for a log line or a listing: keys of journal entries can be as long as what they name. */
    static String shortKey(String key) {
        return key.length() > 80 ? key.substring(0, 80) + "…" : key;
    }

    static long size(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM core.outbox");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The value {@link #add} sealed. */
    static byte[] open(MessageCipher cipher, Row row) {
        return cipher.decrypt(row.value(), associatedData(row.topic(), row.key()));
    }

    /** Associated data of an outbox value: a value cannot be moved to another row's topic or key. */
    private static byte[] associatedData(String topic, String key) {
        return ("outbox\0" + topic + "\0" + key).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}

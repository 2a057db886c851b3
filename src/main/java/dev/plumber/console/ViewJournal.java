package dev.plumber.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.sql.DataSource;

/**
 * The accountability journal: who viewed which message or file, and when (SPEC §6). Append-only (the database refuses
 * updates and deletes) and hash-chained: each record's hash covers its fields and the previous record's hash, so
 * {@link #verify()} finds any record altered, removed or inserted after the fact.
 */
public final class ViewJournal {
    static final String GENESIS = "0".repeat(64);
    /** Serialises appends across replicas, so the chain never forks. */
    private static final long APPEND_LOCK = 0x706c756d62657276L;

    /** One journal record. */
    public record Entry(long seq, Instant at, String actor, String action, String target, String ip, String hash) {}

    /** The outcome of a chain check: how many records were checked, and the first broken one (or -1). */
    public record Check(long checked, long brokenAt, String problem) {
        public boolean intact() {
            return brokenAt < 0;
        }
    }

    private final DataSource dataSource;
    private final Clock clock;

    public ViewJournal(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public void append(String actor, String action, String target, String ip) throws SQLException {
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                    lock.setLong(1, APPEND_LOCK);
                    lock.execute();
                }
                long seq = 1;
                String prev = GENESIS;
                try (PreparedStatement s = c.prepareStatement(
                                "SELECT seq, hash FROM gateway.view_journal ORDER BY seq DESC LIMIT 1");
                        ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        seq = r.getLong(1) + 1;
                        prev = r.getString(2);
                    }
                }
                try (PreparedStatement s = c.prepareStatement(
                        "INSERT INTO gateway.view_journal (seq, at, actor, action, target, ip, prev_hash, hash)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    s.setLong(1, seq);
                    s.setTimestamp(2, Timestamp.from(at));
                    s.setString(3, actor);
                    s.setString(4, action);
                    s.setString(5, target);
                    s.setString(6, ip);
                    s.setString(7, prev);
                    s.setString(8, hash(prev, seq, at, actor, action, target, ip));
                    s.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /** Newest first; {@code actor} and {@code before} (a sequence number) filter when not null. */
    public List<Entry> recent(String actor, Instant from, Instant to, Long before, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT * FROM gateway.view_journal WHERE TRUE");
        List<Object> args = new ArrayList<>();
        if (actor != null) {
            sql.append(" AND actor = ?");
            args.add(actor);
        }
        if (from != null) {
            sql.append(" AND at >= ?");
            args.add(Timestamp.from(from));
        }
        if (to != null) {
            sql.append(" AND at < ?");
            args.add(Timestamp.from(to));
        }
        if (before != null) {
            sql.append(" AND seq < ?");
            args.add(before);
        }
        sql.append(" ORDER BY seq DESC LIMIT ").append(limit);
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                s.setObject(i + 1, args.get(i));
            }
            List<Entry> entries = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    entries.add(new Entry(
                            r.getLong("seq"),
                            r.getTimestamp("at").toInstant(),
                            r.getString("actor"),
                            r.getString("action"),
                            r.getString("target"),
                            r.getString("ip"),
                            r.getString("hash")));
                }
            }
            return entries;
        }
    }

    /** Walks the whole chain from the first record, recomputing every hash. */
    public Check verify() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("SELECT * FROM gateway.view_journal ORDER BY seq")) {
                s.setFetchSize(1000);
                String prev = GENESIS;
                long expectedSeq = 1;
                long checked = 0;
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        long seq = r.getLong("seq");
                        if (seq != expectedSeq) {
                            return new Check(checked, expectedSeq, "record " + expectedSeq + " is missing");
                        }
                        if (!r.getString("prev_hash").equals(prev)) {
                            return new Check(checked, seq, "record " + seq + " does not follow the one before");
                        }
                        String expected = hash(
                                prev,
                                seq,
                                r.getTimestamp("at").toInstant(),
                                r.getString("actor"),
                                r.getString("action"),
                                r.getString("target"),
                                r.getString("ip"));
                        if (!expected.equals(r.getString("hash"))) {
                            return new Check(checked, seq, "record " + seq + " was altered");
                        }
                        prev = expected;
                        expectedSeq++;
                        checked++;
                    }
                }
                return new Check(checked, -1, null);
            } finally {
                c.rollback();
            }
        }
    }

    static String hash(String prev, long seq, Instant at, String actor, String action, String target, String ip) {
        // Fields joined by NUL, which PostgreSQL text cannot hold, so two different records never hash alike.
        String canonical = String.join(
                "\u0000", prev, Long.toString(seq), at.toString(), actor, action, target, ip == null ? "" : ip);
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}

package dev.plumber.console;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The journals the console shows: the core's {@code admin-events} and {@code system-events}, and the console's own
 * administrative actions ({@code console}), one row per entry id.
 */
public final class Journals {
    /** One journal entry; {@code details} is the entry's JSON object as text. */
    public record Entry(
            String id,
            String journal,
            String action,
            String actor,
            String target,
            String ip,
            Instant ts,
            String details) {}

    /** A search: null fields do not filter; {@code before} is the last entry of the previous page. */
    public record Search(String journal, String actor, String action, Instant from, Instant to, Cursor before) {}

    /** A position in the newest-first order. */
    public record Cursor(Instant ts, String id) {}

    private final DataSource dataSource;

    public Journals(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Adds the entry unless one with its id is there already (a re-delivered record); returns whether it did. */
    public boolean add(Entry e) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "INSERT INTO gateway.journal (id, journal, action, actor, target, ip, ts, details)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
            s.setString(1, e.id());
            s.setString(2, e.journal());
            s.setString(3, e.action());
            s.setString(4, e.actor());
            s.setString(5, e.target());
            s.setString(6, e.ip());
            s.setTimestamp(7, Timestamp.from(e.ts()));
            s.setString(8, e.details());
            return s.executeUpdate() == 1;
        }
    }

    /** An entry of the console's own journal: log-ins, log-outs, account changes. */
    public void console(String action, String actor, String target, String ip, String details, Instant at)
            throws SQLException {
        add(new Entry(java.util.UUID.randomUUID().toString(), "console", action, actor, target, ip, at, details));
    }

    /** Newest first. */
    public List<Entry> search(Search q, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT * FROM gateway.journal WHERE TRUE");
        List<Object> args = new ArrayList<>();
        if (q.journal() != null) {
            sql.append(" AND journal = ?");
            args.add(q.journal());
        }
        if (q.actor() != null) {
            sql.append(" AND actor = ?");
            args.add(q.actor());
        }
        if (q.action() != null) {
            sql.append(" AND action = ?");
            args.add(q.action());
        }
        if (q.from() != null) {
            sql.append(" AND ts >= ?");
            args.add(Timestamp.from(q.from()));
        }
        if (q.to() != null) {
            sql.append(" AND ts < ?");
            args.add(Timestamp.from(q.to()));
        }
        if (q.before() != null) {
            sql.append(" AND (ts, id) < (?, ?)");
            args.add(Timestamp.from(q.before().ts()));
            args.add(q.before().id());
        }
        sql.append(" ORDER BY ts DESC, id DESC LIMIT ").append(limit);
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                s.setObject(i + 1, args.get(i));
            }
            List<Entry> entries = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    entries.add(new Entry(
                            r.getString("id"),
                            r.getString("journal"),
                            r.getString("action"),
                            r.getString("actor"),
                            r.getString("target"),
                            r.getString("ip"),
                            r.getTimestamp("ts").toInstant(),
                            r.getString("details")));
                }
            }
            return entries;
        }
    }
}

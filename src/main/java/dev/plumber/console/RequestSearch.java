package dev.plumber.console;

import dev.plumber.event.Timestamps;
import dev.plumber.status.ContentCipher;
import dev.plumber.status.RequestRecord;
import dev.plumber.status.Status;
import dev.plumber.status.StatusStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The console's reads of the status store: a filtered list, newest first, paged by keyset (the last row seen, not an
 * offset, so page 1,000 costs what page 1 costs), the counts per status, a request with its timeline and its linked
 * requests, and the last hour at a glance.
 */
public final class RequestSearch {
    /** The filters of the list; null fields do not filter. {@code text} is matched word by word. */
    public record Filter(
            Status status,
            String type,
            String sender,
            String chat,
            String hash,
            String dlpSystem,
            Instant from,
            Instant to,
            String text) {
        public static final Filter NONE = new Filter(null, null, null, null, null, null, null, null, null);
    }

    /** A position in the newest-first order: the last row of the previous page. */
    public record Cursor(Instant receivedAt, String eventId) {
        /** The form in a link: epoch microseconds, a tilde, the event id. */
        public String token() {
            return Timestamps.micros(receivedAt) + "~" + eventId;
        }

        public static Optional<Cursor> parse(String token) {
            if (token == null) {
                return Optional.empty();
            }
            int tilde = token.indexOf('~');
            try {
                long micros = Long.parseLong(token.substring(0, Math.max(0, tilde)));
                Instant at = Instant.ofEpochSecond(
                        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000);
                return Optional.of(new Cursor(at, token.substring(tilde + 1)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    /** A row as the console shows it: the request, its file's size and type, and whether its text is kept. */
    public record Row(RequestRecord request, Long fileSize, String fileMime, boolean hasContent) {}

    /** One page of rows; {@code next} continues after the last one when there may be more. */
    public record Page(List<Row> rows, Cursor next) {}

    /** One change in a request's life. */
    public record Change(Status status, int attempts, String error, String reason, Instant at) {}

    private static final String COLUMNS =
            RequestRecord.COLUMNS + ", file_size, file_mime, content IS NOT NULL AS has_content";

    private final DataSource dataSource;
    private final ContentCipher cipher;

    public RequestSearch(DataSource dataSource, ContentCipher cipher) {
        this.dataSource = dataSource;
        this.cipher = cipher;
    }

    public Page list(Filter f, Cursor after, int limit) throws SQLException {
        List<Object> args = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM gateway.requests WHERE TRUE");
        where(sql, args, f, true);
        if (after != null) {
            sql.append(" AND (received_at, event_id) < (?, ?)");
            args.add(Timestamp.from(after.receivedAt()));
            args.add(after.eventId());
        }
        sql.append(" ORDER BY received_at DESC, event_id DESC LIMIT ").append(limit + 1);
        List<Row> rows = rows(sql.toString(), args);
        Cursor next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            Row last = rows.get(limit - 1);
            next = new Cursor(last.request().receivedAt(), last.request().id());
        }
        return new Page(List.copyOf(rows), next);
    }

    /** The number of requests in each status under the filter (its own status filter left out, so all show). */
    public Map<Status, Long> counts(Filter f) throws SQLException {
        List<Object> args = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT status, count(*) FROM gateway.requests WHERE TRUE");
        where(sql, args, f, false);
        sql.append(" GROUP BY status");
        Map<Status, Long> counts = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            counts.put(s, 0L);
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql.toString())) {
            bind(s, args);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    counts.put(Status.valueOf(r.getString(1)), r.getLong(2));
                }
            }
        }
        return counts;
    }

    private void where(StringBuilder sql, List<Object> args, Filter f, boolean withStatus) {
        StatusStore.appendStatusAndType(sql, withStatus ? f.status() : null, f.type());
        clause(sql, args, "sender = ?", f.sender());
        clause(sql, args, "chat = ?", f.chat());
        clause(sql, args, "file_hash = ?", f.hash());
        clause(sql, args, "dlp_system = ?", f.dlpSystem());
        clause(sql, args, "received_at >= ?", f.from() == null ? null : Timestamp.from(f.from()));
        clause(sql, args, "received_at < ?", f.to() == null ? null : Timestamp.from(f.to()));
        List<long[]> terms =
                ContentCipher.words(f.text()).stream().map(cipher::searchTerms).toList();
        if (terms.stream().allMatch(t -> t.length == 1)) {
            if (!terms.isEmpty()) {
                sql.append(" AND content_terms @> ?::int8[]");
                args.add(terms.stream().mapToLong(t -> t[0]).toArray());
            }
        } else {
            // After a key rotation a word is stored under the key its row was sealed with: any of them matches.
            for (long[] word : terms) {
                sql.append(" AND content_terms && ?::int8[]");
                args.add(word);
            }
        }
    }

    private static void clause(StringBuilder sql, List<Object> args, String clause, Object value) {
        if (value != null) {
            sql.append(" AND ").append(clause);
            args.add(value);
        }
    }

    public Optional<Row> find(String eventId) throws SQLException {
        List<Row> rows = rows("SELECT " + COLUMNS + " FROM gateway.requests WHERE event_id = ?", List.of(eventId));
        return rows.stream().findFirst();
    }

    /** Other requests about the same file: the file for a message, the messages that carried it for a file. */
    public List<Row> linked(Row row) throws SQLException {
        RequestRecord request = row.request();
        if (request.hash() == null) {
            return List.of();
        }
        return rows(
                "SELECT " + COLUMNS + " FROM gateway.requests WHERE file_hash = ? AND event_id <> ?"
                        + " ORDER BY received_at DESC LIMIT 50",
                List.of(request.hash(), request.id()));
    }

    /**
     * {@code row}'s timeline, oldest first: the states it has left (the history table) and then its current state, the
     * row itself. Until migration V6 the history recorded each state entered rather than left: a row written before it
     * has its current state there already, and one updated after it its state of then twice; a state is shown once.
     */
    public List<Change> history(Row row) throws SQLException {
        RequestRecord request = row.request();
        List<Change> changes = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT status, attempts, error, reason, at"
                        + " FROM gateway.request_history WHERE event_id = ? ORDER BY id")) {
            s.setString(1, request.id());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    addUnlessRepeated(
                            changes,
                            new Change(
                                    Status.valueOf(r.getString(1)),
                                    r.getInt(2),
                                    r.getString(3),
                                    r.getString(4),
                                    r.getTimestamp(5).toInstant()));
                }
            }
        }
        addUnlessRepeated(
                changes,
                new Change(
                        request.status(),
                        request.attempts(),
                        request.lastError(),
                        request.reason(),
                        request.updatedAt()));
        return changes;
    }

    private static void addUnlessRepeated(List<Change> changes, Change change) {
        if (changes.isEmpty() || !changes.getLast().equals(change)) {
            changes.add(change);
        }
    }

    /** Requests received per minute over the last hour, oldest minute first (60 values). */
    public long[] perMinute(Instant now) throws SQLException {
        long[] minutes = new long[60];
        Instant start = now.minusSeconds(3600);
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT floor(extract(epoch FROM received_at - ?) / 60)::int AS m, count(*)"
                                + " FROM gateway.requests WHERE received_at >= ? GROUP BY m")) {
            s.setTimestamp(1, Timestamp.from(start));
            s.setTimestamp(2, Timestamp.from(start));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    int m = r.getInt(1);
                    if (m >= 0 && m < 60) {
                        minutes[m] = r.getLong(2);
                    }
                }
            }
        }
        return minutes;
    }

    private List<Row> rows(String sql, List<Object> args) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            List<Row> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(read(r));
                }
            }
            return rows;
        }
    }

    private static void bind(PreparedStatement s, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            s.setObject(i + 1, args.get(i));
        }
    }

    private static Row read(ResultSet r) throws SQLException {
        return new Row(
                RequestRecord.read(r),
                r.getObject("file_size", Long.class),
                r.getString("file_mime"),
                r.getBoolean("has_content"));
    }
}

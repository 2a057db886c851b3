package dev.plumber.status;

import dev.plumber.event.DlpEvent;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** The PostgreSQL status store: one row per event id; terminal decisions are written once. */
public final class StatusStore {
    /** Rows and the total matching a query. */
    public record Page(List<RequestRecord> items, long total) {}

    private static final String TERMINAL = "('ALLOWED','BLOCKED','ACCEPTED','FAILED','SKIPPED')";

    private final DataSource dataSource;
    private final Clock clock;
    private final ContentCipher cipher;

    /** A store that keeps no message text (tools such as the dead-letter replay). */
    public StatusStore(DataSource dataSource, Clock clock) {
        this(dataSource, clock, null);
    }

    /** A store that keeps message text sealed with {@code cipher}, for auditors. */
    public StatusStore(DataSource dataSource, Clock clock, ContentCipher cipher) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.cipher = cipher;
    }

    /** Creates or upgrades the {@code gateway} schema. */
    public static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas("gateway")
                .locations("classpath:db/gateway")
                .load()
                .migrate();
    }

    /**
     * Records a consumed event as {@code RECEIVED} (its row is created if missing); returns the row's status, which is
     * terminal when the event was decided before (a re-delivery).
     */
    public Status receive(DlpEvent event, KafkaCoordinates at) throws SQLException {
        return upsert(event, at, null, null);
    }

    /**
     * A DLP call is about to start, in one round trip: creates the row as {@code SENDING} or moves an undecided one
     * there, counting the attempt and where it goes. Returns the row's status: terminal when the event was decided
     * before (a re-delivery, which must not be sent again).
     */
    public Status sending(DlpEvent event, KafkaCoordinates at, String dlpSystem, String dlpAddress)
            throws SQLException {
        return upsert(event, at, dlpSystem, dlpAddress);
    }

    private Status upsert(DlpEvent event, KafkaCoordinates at, String dlpSystem, String dlpAddress)
            throws SQLException {
        String type;
        Long mid = null;
        String chat = null;
        String fileName = null;
        Content content = Content.NONE;
        switch (event) {
            case MessageEvent m -> {
                type = "message";
                mid = m.mid();
                chat = m.chat();
                if (cipher != null && m.text() != null) {
                    String id = m.id().toString();
                    content = new Content(
                            cipher.seal(m.text(), id), cipher.terms(m.text()).toArray(String[]::new), null, null);
                }
            }
            case FileEvent f -> {
                type = "file";
                fileName = f.name();
                content = new Content(null, null, f.size(), f.mime());
            }
        }
        return upsert(
                event.id().toString(),
                type,
                mid,
                chat,
                event.sender(),
                event.fileHash(),
                fileName,
                event.ts(),
                at,
                dlpSystem,
                dlpAddress,
                content);
    }
    /** What the console shows beside a row: sealed text and its search terms, or a file's size and type. */
    private record Content(byte[] sealed, String[] terms, Long fileSize, String fileMime) {
        static final Content NONE = new Content(null, null, null, null);
    }

    /** The message text of a request, opened; empty for files or when no text was kept. */
    public Optional<String> content(String id) throws SQLException {
        if (cipher == null) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT content FROM gateway.requests WHERE event_id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                byte[] sealed = r.next() ? r.getBytes(1) : null;
                return sealed == null ? Optional.empty() : Optional.of(cipher.open(sealed, id));
            }
        }
    }

    /** Records an event that could not be read; its id is the event's own when it has one. */
    public Status receiveMalformed(String eventId, KafkaCoordinates at) throws SQLException {
        return upsert(eventId, "malformed", null, null, null, null, null, null, at, null, null, Content.NONE);
    }

    /** With a DLP system the row goes to SENDING (an attempt), else to RECEIVED; a decided row is left alone. */
    private Status upsert(
            String id,
            String type,
            Long mid,
            String chat,
            String sender,
            String hash,
            String fileName,
            Instant eventTs,
            KafkaCoordinates at,
            String dlpSystem,
            String dlpAddress,
            Content content)
            throws SQLException {
        Timestamp now = Timestamp.from(clock.instant());
        boolean sending = dlpSystem != null;
        String undecided = "r.status NOT IN " + TERMINAL;
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("INSERT INTO gateway.requests AS r (event_id, type, status,"
                        + " attempts, dlp_system, dlp_address, mid, chat, sender, file_hash, file_name, kafka_topic,"
                        + " kafka_partition, kafka_offset, event_ts, received_at, updated_at, content, content_terms, file_size,"
                        + " file_mime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (event_id) DO UPDATE SET"
                        + " status = CASE WHEN " + undecided + " THEN EXCLUDED.status ELSE r.status END,"
                        + " attempts = CASE WHEN " + undecided
                        + " THEN r.attempts + EXCLUDED.attempts ELSE r.attempts END,"
                        + " dlp_system = COALESCE(CASE WHEN " + undecided
                        + " THEN EXCLUDED.dlp_system END, r.dlp_system),"
                        + " dlp_address = COALESCE(CASE WHEN " + undecided
                        + " THEN EXCLUDED.dlp_address END, r.dlp_address),"
                        + " updated_at = CASE WHEN " + undecided + " THEN EXCLUDED.updated_at ELSE r.updated_at END"
                        + " RETURNING status")) {
            s.setString(1, id);
            s.setString(2, type);
            s.setString(3, sending ? Status.SENDING.name() : Status.RECEIVED.name());
            s.setInt(4, sending ? 1 : 0);
            s.setString(5, dlpSystem);
            s.setString(6, dlpAddress);
            s.setObject(7, mid);
            s.setString(8, chat);
            s.setString(9, sender);
            s.setString(10, hash);
            s.setString(11, fileName);
            s.setString(12, at.topic());
            s.setInt(13, at.partition());
            s.setLong(14, at.offset());
            s.setTimestamp(15, eventTs == null ? null : Timestamp.from(eventTs));
            s.setTimestamp(16, now);
            s.setTimestamp(17, now);
            s.setBytes(18, content.sealed());
            s.setArray(19, content.terms() == null ? null : c.createArrayOf("text", content.terms()));
            s.setObject(20, content.fileSize());
            s.setString(21, content.fileMime());
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return Status.valueOf(r.getString(1));
            }
        }
    }

    /** A transient failure: the event will be tried again at {@code nextAttempt}. */
    public void retrying(String id, String error, Instant nextAttempt) throws SQLException {
        update(
                "UPDATE gateway.requests SET status = 'RETRYING', last_error = ?, next_attempt_at = ?, updated_at = ?"
                        + " WHERE event_id = ? AND status NOT IN " + TERMINAL,
                error,
                Timestamp.from(nextAttempt),
                Timestamp.from(clock.instant()),
                id);
    }

    /** Writes the terminal decision once; returns false when the row was already decided. */
    public boolean complete(String id, Status status, String reason, String reference, String error)
            throws SQLException {
        if (!status.terminal()) {
            throw new IllegalArgumentException(status + " is not terminal");
        }
        Timestamp now = Timestamp.from(clock.instant());
        return update(
                        "UPDATE gateway.requests SET status = ?, reason = ?, dlp_reference = ?, last_error ="
                                + " COALESCE(?, last_error), next_attempt_at = NULL, updated_at = ?, completed_at = ?"
                                + " WHERE event_id = ? AND status NOT IN " + TERMINAL,
                        status.name(),
                        reason,
                        reference,
                        error,
                        now,
                        now,
                        id)
                == 1;
    }

    /** Re-opens a {@code FAILED} request whose event is being replayed from the dead-letter topic. */
    public boolean reopen(String id) throws SQLException {
        return update(
                        "UPDATE gateway.requests SET status = 'RECEIVED', completed_at = NULL, updated_at = ?"
                                + " WHERE event_id = ? AND status = 'FAILED'",
                        Timestamp.from(clock.instant()),
                        id)
                == 1;
    }

    public Optional<RequestRecord> find(String id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT * FROM gateway.requests WHERE event_id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(read(r)) : Optional.empty();
            }
        }
    }

    /** Newest first, with the total count of matching rows. */
    public Page query(RequestQuery q) throws SQLException {
        StringBuilder where = new StringBuilder(" WHERE TRUE");
        List<Object> args = new ArrayList<>();
        filter(where, args, "status = ?", q.status() == null ? null : q.status().name());
        filter(where, args, "type = ?", q.type());
        filter(where, args, "sender = ?", q.sender());
        filter(where, args, "chat = ?", q.chat());
        filter(where, args, "mid = ?", q.mid());
        filter(where, args, "file_hash = ?", q.hash());
        filter(where, args, "received_at >= ?", q.from() == null ? null : Timestamp.from(q.from()));
        filter(where, args, "received_at < ?", q.to() == null ? null : Timestamp.from(q.to()));
        try (Connection c = dataSource.getConnection()) {
            long total;
            try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM gateway.requests" + where)) {
                bind(s, args);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    total = r.getLong(1);
                }
            }
            List<RequestRecord> items = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT * FROM gateway.requests" + where
                    + " ORDER BY received_at DESC, event_id LIMIT " + q.limit() + " OFFSET " + q.offset())) {
                bind(s, args);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        items.add(read(r));
                    }
                }
            }
            return new Page(items, total);
        }
    }

    private static void filter(StringBuilder where, List<Object> args, String clause, Object value) {
        if (value != null) {
            where.append(" AND ").append(clause);
            args.add(value);
        }
    }

    private int update(String sql, Object... args) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, java.util.Arrays.asList(args));
            return s.executeUpdate();
        }
    }

    private static void bind(PreparedStatement s, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            s.setObject(i + 1, args.get(i));
        }
    }

    private static RequestRecord read(ResultSet r) throws SQLException {
        long midValue = r.getLong("mid");
        Long mid = r.wasNull() ? null : midValue;
        return new RequestRecord(
                r.getString("event_id"),
                r.getString("type"),
                Status.valueOf(r.getString("status")),
                mid,
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
}

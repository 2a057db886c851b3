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
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * The PostgreSQL status store: one row per event id; terminal decisions are written once. The delivery path's
 * writes ({@link #write}) are group-committed — concurrent callers share one transaction, each still waiting until
 * its own write is durable — and its look-ups ({@link #decided}) share one statement.
 */
public final class StatusStore implements AutoCloseable {
    /** Rows and the total matching a query. */
    public record Page(List<RequestRecord> items, long total) {}

    private static final String MESSAGE = "message";
    private static final String FILE = "file";
    private static final String MALFORMED = "malformed";

    /** The types of request rows. */
    private static final Set<String> TYPES = Set.of(MESSAGE, FILE, MALFORMED);

    private final DataSource dataSource;
    private final Clock clock;
    private final ContentCipher cipher;
    private final Batcher<GroupCommit.Row, Boolean> writes;
    private final Batcher<String, Boolean> lookups;

    /**
     * Told of every batch of writes ({@code write}) or look-ups ({@code lookup}): how many, how long the oldest of them
     * waited for the batch to start, and how long the batch took.
     */
    @FunctionalInterface
    public interface FlushObserver {
        FlushObserver NONE = (op, rows, queuedNanos, nanos) -> {};

        void flushed(String op, int rows, long queuedNanos, long nanos);
    }

    /** A store that keeps no message text (tools such as the dead-letter replay). */
    public StatusStore(DataSource dataSource, Clock clock) {
        this(dataSource, clock, null, FlushObserver.NONE);
    }

    /** A store that keeps message text sealed with {@code cipher}, for auditors. */
    public StatusStore(DataSource dataSource, Clock clock, ContentCipher cipher) {
        this(dataSource, clock, cipher, FlushObserver.NONE);
    }

    /** The same, telling {@code flushes} of each batch it writes or looks up. */
    public StatusStore(DataSource dataSource, Clock clock, ContentCipher cipher, FlushObserver flushes) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.cipher = cipher;
        this.writes =
                GroupCommit.start(dataSource, (rows, queued, nanos) -> flushes.flushed("write", rows, queued, nanos));
        this.lookups =
                DecidedLookup.start(dataSource, (ids, queued, nanos) -> flushes.flushed("lookup", ids, queued, nanos));
    }

    /** Creates or upgrades the {@code gateway} schema. */
    public static void migrate(DataSource dataSource) {
        migrations(dataSource).load().migrate();
    }

    /** The {@code gateway} schema's migrations on {@code dataSource}, for {@link #migrate} or up to a version. */
    public static FluentConfiguration migrations(DataSource dataSource) {
        return Flyway.configure().dataSource(dataSource).schemas("gateway").locations("classpath:db/gateway");
    }

    /**
     * What one write makes of a request row: its new status and what goes with it. {@code attempts} is added to the
     * row's count of DLP calls.
     */
    public record Change(
            Status status,
            int attempts,
            String dlpSystem,
            String dlpAddress,
            String reason,
            String reference,
            String error,
            Instant nextAttempt) {
        /** A DLP call under way: one attempt, at {@code dlpSystem} on {@code dlpAddress}. */
        public static Change sending(String dlpSystem, String dlpAddress) {
            return new Change(Status.SENDING, 1, dlpSystem, dlpAddress, null, null, null, null);
        }

        /** A transient failure: the event will be tried again at {@code nextAttempt}. */
        public static Change retrying(String error, Instant nextAttempt) {
            return new Change(Status.RETRYING, 0, null, null, null, null, error, nextAttempt);
        }

        /** The terminal decision, written once. */
        public static Change decided(Status status, String reason, String reference, String error) {
            if (!status.terminal()) {
                throw new IllegalArgumentException(status + " is not terminal");
            }
            return new Change(status, 0, null, null, reason, reference, error, null);
        }

        /** This change with {@code error} as its error. */
        public Change withError(String error) {
            return new Change(status, attempts, dlpSystem, dlpAddress, reason, reference, error, nextAttempt);
        }

        /** This change counting a DLP call at {@code dlpSystem} on {@code dlpAddress}: the call's only write. */
        public Change attempt(String dlpSystem, String dlpAddress) {
            return new Change(status, 1, dlpSystem, dlpAddress, reason, reference, error, nextAttempt);
        }
    }

    /** Whether the event was decided before (a re-delivery, which must not be sent again). */
    public boolean decided(String id) throws SQLException {
        return lookups.submit(id);
    }

    /**
     * Applies {@code change} to the event's row, creating it if missing with {@code received} (when the gateway took
     * the event in) as its time of arrival; returns false, writing nothing, when the event was decided before. A
     * message's search terms are written with its decision: the terms index then takes each term once rather than
     * again for every version of the row.
     */
    public boolean write(DlpEvent event, KafkaCoordinates at, Instant received, Change change) throws SQLException {
        return writes.submit(row(event, at, received, change));
    }

    /**
     * {@link #write} without waiting: the result completes once the write is durable, or fails with the flush's error.
     * What is chained to it runs on the status flusher's thread and must be brief and never block. The row (its sealed
     * text and search terms) is made on the caller's thread.
     */
    public CompletableFuture<Boolean> writeAsync(DlpEvent event, KafkaCoordinates at, Instant received, Change change) {
        return writes.handOver(row(event, at, received, change));
    }

    private GroupCommit.Row row(DlpEvent event, KafkaCoordinates at, Instant received, Change change) {
        String type;
        Long mid = null;
        String chat = null;
        String fileName = null;
        Content content = Content.NONE;
        long[] terms = null;
        switch (event) {
            case MessageEvent m -> {
                type = MESSAGE;
                mid = m.mid();
                chat = m.chat();
                if (cipher != null && m.text() != null) {
                    content = new Content(cipher.seal(m.text(), m.id().toString()), null, null);
                    if (change.status().terminal()) {
                        terms = cipher.terms(m.text());
                    }
                }
            }
            case FileEvent f -> {
                type = FILE;
                fileName = f.name();
                content = new Content(null, f.size(), f.mime());
            }
        }
        return row(
                event.id().toString(),
                type,
                mid,
                chat,
                event.sender(),
                event.fileHash(),
                fileName,
                event.ts(),
                at,
                received,
                content,
                terms,
                change);
    }

    /**
     * {@link #writeAsync} keeping none of the event's own fields — sender, chat, file hash and name, text, time — for an
     * event whose row the database refused ({@link #refusal}): its status is still written, with {@code why} as its
     * error.
     */
    public CompletableFuture<Boolean> writeWithoutItsFieldsAsync(
            DlpEvent event, KafkaCoordinates at, Instant received, Change change, String why) {
        String type = event instanceof MessageEvent ? MESSAGE : FILE;
        return writes.handOver(bare(event.id().toString(), type, at, received, change.withError(why)));
    }

    /**
     * The database's refusal of a write for something in its data — a value out of range or too large for an index
     * entry (SQLSTATE classes 22 and 54), or a constraint (23) — which it will refuse again however often it is tried:
     * its exception, found under the futures' wrappers; empty for any other failure.
     */
    public static Optional<SQLException> refusal(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException || cause instanceof ExecutionException) {
            cause = cause.getCause();
        }
        if (cause instanceof SQLException sql && sql.getSQLState() != null) {
            String state = sql.getSQLState();
            if (state.startsWith("22") || state.startsWith("23") || state.startsWith("54")) {
                return Optional.of(sql);
            }
        }
        return Optional.empty();
    }

    /** {@link #write} for an event that could not be read; its id is the event's own when it has one. */
    public boolean writeMalformed(String id, KafkaCoordinates at, Instant received, Change change) throws SQLException {
        return writes.submit(bare(id, MALFORMED, at, received, change));
    }

    /** A row with none of an event's own fields. */
    private GroupCommit.Row bare(String id, String type, KafkaCoordinates at, Instant received, Change change) {
        return row(id, type, null, null, null, null, null, null, at, received, Content.NONE, null, change);
    }

    private GroupCommit.Row row(
            String id,
            String type,
            Long mid,
            String chat,
            String sender,
            String hash,
            String fileName,
            Instant eventTs,
            KafkaCoordinates at,
            Instant received,
            Content content,
            long[] terms,
            Change change) {
        return new GroupCommit.Row(
                id,
                type,
                change.status(),
                change.attempts(),
                change.dlpSystem(),
                change.dlpAddress(),
                mid,
                chat,
                sender,
                hash,
                fileName,
                at,
                eventTs,
                received,
                clock.instant(),
                content.sealed(),
                content.fileSize(),
                content.fileMime(),
                change.reason(),
                change.reference(),
                change.error(),
                terms,
                change.nextAttempt());
    }

    /** What the console shows beside a row: sealed text, or a file's size and type. */
    private record Content(byte[] sealed, Long fileSize, String fileMime) {
        static final Content NONE = new Content(null, null, null);
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

    /** When a partition's back-off ends: the latest next attempt of its waiting events, and their attempts so far. */
    public record Backoff(Instant until, int attempts) {}

    /**
     * The back-off of each of {@code partitions} that has events waiting to be retried after now — what the instance
     * that owned them before had decided, so that a rebalance does not end a pause early.
     */
    public Map<Integer, Backoff> backoffs(String topic, Collection<Integer> partitions) throws SQLException {
        Map<Integer, Backoff> backoffs = new HashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT kafka_partition, max(next_attempt_at), max(attempts)"
                        + " FROM gateway.requests WHERE status = 'RETRYING' AND kafka_topic = ?"
                        + " AND kafka_partition = ANY (?) AND next_attempt_at > ? GROUP BY kafka_partition")) {
            s.setString(1, topic);
            s.setArray(2, c.createArrayOf("int4", partitions.toArray()));
            s.setTimestamp(3, Timestamp.from(clock.instant()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    backoffs.put(r.getInt(1), new Backoff(r.getTimestamp(2).toInstant(), r.getInt(3)));
                }
            }
        }
        return backoffs;
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

    /** {@code id}'s row with the other requests about its file, newest first (at most 50); empty if there is none. */
    public Optional<RequestRecord.Detail> detail(String id) throws SQLException {
        Optional<RequestRecord> found = find(id);
        if (found.isEmpty() || found.get().hash() == null) {
            return found.map(r -> new RequestRecord.Detail(r, List.of()));
        }
        List<RequestRecord.Linked> linked = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT event_id, type, status, received_at"
                        + " FROM gateway.requests WHERE file_hash = ? AND event_id <> ?"
                        + " ORDER BY received_at DESC LIMIT 50")) {
            s.setString(1, found.get().hash());
            s.setString(2, id);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    linked.add(new RequestRecord.Linked(
                            r.getString(1),
                            r.getString(2),
                            Status.valueOf(r.getString(3)),
                            r.getTimestamp(4).toInstant()));
                }
            }
        }
        return Optional.of(new RequestRecord.Detail(found.get(), linked));
    }

    public Optional<RequestRecord> find(String id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT " + RequestRecord.COLUMNS + " FROM gateway.requests WHERE event_id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(RequestRecord.read(r)) : Optional.empty();
            }
        }
    }

    /**
     * Appends the conditions of a filter by status and by type, either null for none, their values written into the
     * statement: their indexes hold only the rows such a filter picks out of the many (migration V7) — statuses other
     * than the DLPs' usual answers, files and malformed events — and a plan made for any value could not use them. A
     * type this store never writes matches nothing, and the caller's text never enters the statement.
     */
    public static void appendStatusAndType(StringBuilder where, Status status, String type) {
        if (status != null) {
            where.append(" AND status = '").append(status.name()).append('\'');
        }
        if (type != null) {
            where.append(TYPES.contains(type) ? " AND type = '" + type + "'" : " AND FALSE");
        }
    }

    /** Newest first, with the total count of matching rows. */
    public Page query(RequestQuery q) throws SQLException {
        StringBuilder where = new StringBuilder(" WHERE TRUE");
        List<Object> args = new ArrayList<>();
        appendStatusAndType(where, q.status(), q.type());
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
            try (PreparedStatement s = c.prepareStatement("SELECT " + RequestRecord.COLUMNS + " FROM gateway.requests"
                    + where + " ORDER BY received_at DESC, event_id DESC LIMIT " + q.limit() + " OFFSET "
                    + q.offset())) {
                bind(s, args);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        items.add(RequestRecord.read(r));
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

    /** Finishes the writes in progress; later writes fail. */
    @Override
    public void close() {
        lookups.close();
        writes.close();
    }
}

package dev.plumber.status;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Group commit for the status writes on the hot path. Each event's worker hands over one write and waits for it;
 * a flusher takes every write waiting (up to {@value #MAX_WRITES}) and applies them in one transaction — one
 * multi-row upsert and one multi-row update — so that a thousand events cost a few round trips and commits rather
 * than two thousand. A failed transaction fails every write in it: their events are tried again later, as when each
 * wrote alone.
 */
final class GroupCommit implements AutoCloseable {
    static final int MAX_WRITES = 512;
    /**
     * Measured on the benchmark's small messages (2 cores): one flusher falls behind at half the saturation rate
     * (end-to-end median 850 ms), four contend in PostgreSQL (median 275 ms), two kept it at 8-14 ms.
     */
    private static final int FLUSHERS = 2;

    private static final int GATHER_BELOW = 32;
    private static final long GATHER_NANOS = 1_000_000;

    private static final String UNDECIDED = "r.status NOT IN " + Status.TERMINAL_SQL;

    /** Every column of a request row as the upsert writes it. */
    record Row(
            String id,
            String type,
            Status status,
            String dlpSystem,
            String dlpAddress,
            Long mid,
            String chat,
            String sender,
            String fileHash,
            String fileName,
            KafkaCoordinates at,
            Instant eventTs,
            Instant now,
            byte[] content,
            Long fileSize,
            String fileMime) {}

    /** A terminal decision for a row not yet decided; {@code terms} (space-separated hex hashes) may be null. */
    record Decision(
            String id, Status status, String reason, String reference, String error, String terms, Instant now) {}

    private sealed interface Write permits Upsert, Complete {
        String id();

        void fail(Throwable e);
    }

    private record Upsert(Row row, CompletableFuture<Status> result) implements Write {
        public String id() {
            return row.id();
        }

        public void fail(Throwable e) {
            result.completeExceptionally(e);
        }
    }

    private record Complete(Decision decision, CompletableFuture<Boolean> result) implements Write {
        public String id() {
            return decision.id();
        }

        public void fail(Throwable e) {
            result.completeExceptionally(e);
        }
    }

    private static final String UPSERT = "INSERT INTO gateway.requests AS r (event_id, type, status, attempts,"
            + " dlp_system, dlp_address, mid, chat, sender, file_hash, file_name, kafka_topic, kafka_partition,"
            + " kafka_offset, event_ts, received_at, updated_at, content, file_size, file_mime)"
            + " SELECT u.id, u.type, u.status, CASE WHEN u.status = 'SENDING' THEN 1 ELSE 0 END, u.sys, u.addr, u.mid,"
            + " u.chat, u.sender, u.hash, u.fname, u.topic, u.part, u.off, u.ets::timestamptz, u.now::timestamptz,"
            + " u.now::timestamptz, u.content, u.fsize, u.fmime"
            + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int8[], ?::text[], ?::text[],"
            + " ?::text[], ?::text[], ?::text[], ?::int4[], ?::int8[], ?::text[], ?::text[], ?::bytea[], ?::int8[],"
            + " ?::text[]) AS u(id, type, status, sys, addr, mid, chat, sender, hash, fname, topic, part, off, ets, now,"
            + " content, fsize, fmime)"
            // One lock order for every flush, so that two flushers never wait on each other in a cycle.
            + " ORDER BY u.id"
            + " ON CONFLICT (event_id) DO UPDATE SET"
            + " status = CASE WHEN " + UNDECIDED + " THEN EXCLUDED.status ELSE r.status END,"
            + " attempts = CASE WHEN " + UNDECIDED + " THEN r.attempts + EXCLUDED.attempts ELSE r.attempts END,"
            + " dlp_system = COALESCE(CASE WHEN " + UNDECIDED + " THEN EXCLUDED.dlp_system END, r.dlp_system),"
            + " dlp_address = COALESCE(CASE WHEN " + UNDECIDED + " THEN EXCLUDED.dlp_address END, r.dlp_address),"
            + " updated_at = CASE WHEN " + UNDECIDED + " THEN EXCLUDED.updated_at ELSE r.updated_at END"
            + " RETURNING event_id, status";

    private static final String COMPLETE = "UPDATE gateway.requests AS r SET status = u.status, reason = u.reason,"
            + " dlp_reference = u.ref, last_error = COALESCE(u.err, r.last_error), next_attempt_at = NULL,"
            + " content_terms = COALESCE(string_to_array(u.terms, ' '), r.content_terms),"
            + " updated_at = u.now::timestamptz, completed_at = u.now::timestamptz"
            + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])"
            + " AS u(id, status, reason, ref, err, terms, now)"
            + " WHERE r.event_id = u.id AND " + UNDECIDED
            + " RETURNING r.event_id";

    private final DataSource dataSource;
    private final BlockingQueue<Write> queue = new LinkedBlockingQueue<>();
    private final List<Thread> flushers = new ArrayList<>();
    private volatile boolean open = true;

    GroupCommit(DataSource dataSource) {
        this.dataSource = dataSource;
        for (int i = 0; i < FLUSHERS; i++) {
            // Virtual threads, like the workers. Platform flushers measured worse in the benchmark (two runs each, 2
            // cores): an end-to-end median of 300-360 ms against 14-25 ms, and a fifth less throughput.
            flushers.add(Thread.ofVirtual().name("plumber-status-flusher-" + i).start(this::flushLoop));
        }
    }

    /** Creates the row or moves an undecided one on; returns the row's status after the write. */
    Status upsert(Row row) throws SQLException {
        return await(submit(new Upsert(row, new CompletableFuture<>())).result());
    }

    /** Writes the decision unless the row was decided before; returns whether it was written. */
    boolean complete(Decision decision) throws SQLException {
        return await(submit(new Complete(decision, new CompletableFuture<>())).result());
    }

    private synchronized <W extends Write> W submit(W write) {
        if (!open) {
            throw new IllegalStateException("the status store is closed");
        }
        queue.add(write);
        return write;
    }

    private static <T> T await(CompletableFuture<T> result) throws SQLException {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while the status write was in flight", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new SQLException("status write failed: " + e.getCause(), e.getCause());
        }
    }

    private void flushLoop() {
        List<Write> batch = new ArrayList<>(MAX_WRITES);
        while (open || !queue.isEmpty()) {
            try {
                Write first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, MAX_WRITES - 1);
            if (batch.size() < GATHER_BELOW) {
                // A trickle: the writes racing in during a millisecond share this transaction instead of each
                // paying for one of their own (PostgreSQL's commit_delay, on our side of the connection).
                LockSupport.parkNanos(GATHER_NANOS);
                queue.drainTo(batch, MAX_WRITES - batch.size());
            }
            try {
                flush(batch);
            } catch (SQLException | RuntimeException e) {
                batch.forEach(w -> w.fail(e));
            }
            batch.clear();
        }
    }

    /** One transaction: the upserts, then the decisions; ids repeated in the batch go in later rounds. */
    private void flush(List<Write> batch) throws SQLException {
        List<List<Upsert>> upserts = rounds(batch, Upsert.class);
        List<List<Complete>> completes = rounds(batch, Complete.class);
        Map<Write, Object> results = new IdentityHashMap<>(); // writes are records: compare them as objects
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (List<Upsert> round : upserts) {
                    upsert(c, round, results);
                }
                for (List<Complete> round : completes) {
                    complete(c, round, results);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        for (Write w : batch) {
            switch (w) {
                case Upsert u -> {
                    Status status = (Status) results.get(u);
                    if (status == null) {
                        u.fail(new SQLException("the upsert of " + u.id() + " returned no row"));
                    } else {
                        u.result().complete(status);
                    }
                }
                case Complete d -> d.result().complete(Boolean.TRUE.equals(results.get(d)));
            }
        }
    }

    /** The writes of one kind, in rounds in which each id appears once (a multi-row upsert may touch a row once). */
    private static <W extends Write> List<List<W>> rounds(List<Write> batch, Class<W> kind) {
        List<List<W>> rounds = new ArrayList<>();
        List<Set<String>> ids = new ArrayList<>();
        for (Write w : batch) {
            if (!kind.isInstance(w)) {
                continue;
            }
            int i = 0;
            while (i < rounds.size() && ids.get(i).contains(w.id())) {
                i++;
            }
            if (i == rounds.size()) {
                rounds.add(new ArrayList<>());
                ids.add(new HashSet<>());
            }
            rounds.get(i).add(kind.cast(w));
            ids.get(i).add(w.id());
        }
        return rounds;
    }

    private static void upsert(Connection c, List<Upsert> round, Map<Write, Object> results) throws SQLException {
        List<Row> rows = round.stream().map(Upsert::row).toList();
        try (PreparedStatement s = c.prepareStatement(UPSERT)) {
            int p = 1;
            s.setArray(p++, texts(c, rows, Row::id));
            s.setArray(p++, texts(c, rows, Row::type));
            s.setArray(p++, texts(c, rows, r -> r.status().name()));
            s.setArray(p++, texts(c, rows, Row::dlpSystem));
            s.setArray(p++, texts(c, rows, Row::dlpAddress));
            s.setArray(p++, c.createArrayOf("int8", rows.stream().map(Row::mid).toArray()));
            s.setArray(p++, texts(c, rows, Row::chat));
            s.setArray(p++, texts(c, rows, Row::sender));
            s.setArray(p++, texts(c, rows, Row::fileHash));
            s.setArray(p++, texts(c, rows, Row::fileName));
            s.setArray(p++, texts(c, rows, r -> r.at().topic()));
            s.setArray(
                    p++,
                    c.createArrayOf(
                            "int4", rows.stream().map(r -> r.at().partition()).toArray()));
            s.setArray(
                    p++,
                    c.createArrayOf(
                            "int8", rows.stream().map(r -> r.at().offset()).toArray()));
            s.setArray(
                    p++,
                    texts(c, rows, r -> r.eventTs() == null ? null : r.eventTs().toString()));
            s.setArray(p++, texts(c, rows, r -> r.now().toString()));
            s.setArray(
                    p++,
                    c.createArrayOf("bytea", rows.stream().map(Row::content).toArray(byte[][]::new)));
            s.setArray(
                    p++,
                    c.createArrayOf("int8", rows.stream().map(Row::fileSize).toArray()));
            s.setArray(p, texts(c, rows, Row::fileMime));
            Map<String, Upsert> byId = new HashMap<>();
            round.forEach(u -> byId.put(u.id(), u));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    results.put(byId.get(r.getString(1)), Status.valueOf(r.getString(2)));
                }
            }
        }
    }

    private static void complete(Connection c, List<Complete> round, Map<Write, Object> results) throws SQLException {
        List<Decision> decisions = round.stream().map(Complete::decision).toList();
        try (PreparedStatement s = c.prepareStatement(COMPLETE)) {
            s.setArray(1, texts(c, decisions, Decision::id));
            s.setArray(2, texts(c, decisions, d -> d.status().name()));
            s.setArray(3, texts(c, decisions, Decision::reason));
            s.setArray(4, texts(c, decisions, Decision::reference));
            s.setArray(5, texts(c, decisions, Decision::error));
            s.setArray(6, texts(c, decisions, Decision::terms));
            s.setArray(7, texts(c, decisions, d -> d.now().toString()));
            Map<String, Complete> byId = new HashMap<>();
            round.forEach(d -> byId.put(d.id(), d));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    results.put(byId.get(r.getString(1)), Boolean.TRUE);
                }
            }
        }
    }

    private static <T> Array texts(Connection c, List<T> items, Function<T, String> column) throws SQLException {
        return c.createArrayOf("text", items.stream().map(column).toArray(String[]::new));
    }

    /** Writes what is queued (bounded), then stops the flushers; writes still queued after that fail. */
    @Override
    public void close() {
        synchronized (this) {
            open = false;
        }
        try {
            for (Thread t : flushers) {
                t.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Write w; (w = queue.poll()) != null; ) {
            w.fail(new SQLException("the status store closed before this write"));
        }
    }
}

package dev.plumber.status;

import dev.plumber.event.Timestamps;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import javax.sql.DataSource;

/**
 * Group commit for the status writes on the hot path. Each event's worker hands over a row: its outcome's, with what
 * follows chained to it, or a status on the way, which it waits for. A flusher takes every row waiting and writes them
 * in one transaction (one multi-row upsert per round), so that a thousand events cost a few round trips and commits
 * rather than a thousand. A failed transaction fails every write in it: their events are tried again later, as when
 * each wrote alone.
 */
final class GroupCommit {
    /**
     * Measured on the benchmark's small messages (2 cores): one flusher falls behind at half the saturation rate
     * (end-to-end median 850 ms), four contend in PostgreSQL (median 275 ms), two kept it at 8-14 ms. Virtual threads,
     * like the workers: platform flushers measured an end-to-end median of 300-360 ms against 14-25 ms, and a fifth
     * less throughput.
     */
    private static final int FLUSHERS = 2;

    /** A trickle of writes waits a millisecond for the writes racing in to share its transaction. */
    private static final int GATHER_BELOW = 32;

    private static final long GATHER_NANOS = 1_000_000;

    /**
     * A request row as one write leaves it: the event's columns (written when the row is created), its new status and
     * what goes with it. {@code attempts} is added to the row's count; {@code terms} are the search terms' hashes;
     * {@code received}, when the gateway took the event in, is kept from the write that creates the row.
     */
    record Row(
            String id,
            String type,
            Status status,
            int attempts,
            String dlpSystem,
            String dlpAddress,
            Long mid,
            String chat,
            String sender,
            String fileHash,
            String fileName,
            KafkaCoordinates at,
            Instant eventTs,
            Instant received,
            Instant now,
            byte[] content,
            Long fileSize,
            String fileMime,
            String reason,
            String reference,
            String error,
            long[] terms,
            Instant nextAttempt) {}

    private static final String TERMINAL = "IN " + Status.TERMINAL_SQL;

    /**
     * Creates each row or moves an undecided one on; a decided row is left alone and returns nothing. A decision
     * replaces the reason and reference; a row moving on keeps its last error and search terms unless given new ones.
     * A record that could not be read never takes over the row of an event that could, though it carries its id: it
     * is not that event, and the event's outcome would be lost to it (the caller keys it apart instead).
     */
    private static final String UPSERT = "INSERT INTO gateway.requests AS r (event_id, type, status, attempts,"
            + " dlp_system, dlp_address, mid, chat, sender, file_hash, file_name, kafka_topic, kafka_partition,"
            + " kafka_offset, event_ts, received_at, updated_at, completed_at, content, file_size, file_mime, reason,"
            + " dlp_reference, last_error, content_terms, next_attempt_at)"
            + " SELECT u.id, u.type, u.status, u.attempts, u.sys, u.addr, u.mid, u.chat, u.sender, u.hash, u.fname,"
            + " u.topic, u.part, u.off, u.ets::timestamptz, " + instant("u.rcv") + ", " + instant("u.now") + ","
            + " CASE WHEN u.status " + TERMINAL + " THEN " + instant("u.now") + " END, u.content, u.fsize, u.fmime,"
            + " u.reason, u.ref, u.err, t.terms[u.tfrom:u.tto], " + instant("u.next")
            + " FROM unnest(?::text[], ?::text[], ?::text[], ?::int4[], ?::text[], ?::text[], ?::int8[], ?::text[],"
            + " ?::text[], ?::text[], ?::text[], ?::text[], ?::int4[], ?::int8[], ?::text[], ?::int8[], ?::int8[],"
            + " ?::bytea[], ?::int8[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int4[], ?::int4[], ?::int8[])"
            + " AS u(id, type, status, attempts, sys, addr, mid, chat, sender, hash, fname, topic, part, off, ets, rcv,"
            + " now, content, fsize, fmime, reason, ref, err, tfrom, tto, next)"
            + " CROSS JOIN (SELECT ?::int8[]) AS t(terms)"
            // One lock order for every flush, so that two flushers never wait on each other in a cycle; any order
            // does, and bytes sort without the database's collation.
            + " ORDER BY u.id COLLATE \"C\""
            + " ON CONFLICT (event_id) DO UPDATE SET status = EXCLUDED.status,"
            + " attempts = r.attempts + EXCLUDED.attempts,"
            + " dlp_system = COALESCE(EXCLUDED.dlp_system, r.dlp_system),"
            + " dlp_address = COALESCE(EXCLUDED.dlp_address, r.dlp_address),"
            + " reason = CASE WHEN EXCLUDED.completed_at IS NULL THEN r.reason ELSE EXCLUDED.reason END,"
            + " dlp_reference = CASE WHEN EXCLUDED.completed_at IS NULL THEN r.dlp_reference"
            + " ELSE EXCLUDED.dlp_reference END,"
            + " last_error = COALESCE(EXCLUDED.last_error, r.last_error),"
            + " content_terms = COALESCE(EXCLUDED.content_terms, r.content_terms),"
            + " next_attempt_at = EXCLUDED.next_attempt_at, updated_at = EXCLUDED.updated_at,"
            + " completed_at = EXCLUDED.completed_at"
            + " WHERE r.status NOT " + TERMINAL
            + " AND (EXCLUDED.type <> 'malformed' OR r.type = 'malformed')"
            + " RETURNING event_id";

    private GroupCommit() {}

    /** The flushers: a row handed over comes back true once written, false when it was decided before and left. */
    static Batcher<Row, Boolean> start(DataSource dataSource, Batcher.Observer observer) {
        return new Batcher<>(
                "plumber-status-flusher",
                FLUSHERS,
                GATHER_BELOW,
                GATHER_NANOS,
                rows -> flush(dataSource, rows),
                observer);
    }

    /**
     * One transaction; an id repeated in the batch goes in a later round (a multi-row upsert touches a row once). A
     * batch of one round is one statement, which the server commits by itself: one round trip, and no transaction
     * holding its rows' locks while this side gets round to sending the commit.
     */
    private static List<Boolean> flush(DataSource dataSource, List<Row> rows) throws SQLException {
        Boolean[] written = new Boolean[rows.size()];
        Arrays.fill(written, Boolean.FALSE);
        List<Map<String, Integer>> rounds = rounds(rows);
        try (Connection c = dataSource.getConnection()) {
            if (rounds.size() == 1) {
                upsert(c, rows, rounds.getFirst(), written);
                return Arrays.asList(written);
            }
            c.setAutoCommit(false);
            try {
                for (Map<String, Integer> round : rounds) {
                    upsert(c, rows, round, written);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        return Arrays.asList(written);
    }

    /** Upserts the rows of {@code round} (ids by their positions in {@code rows}) and marks those it wrote. */
    private static void upsert(Connection c, List<Row> rows, Map<String, Integer> round, Boolean[] written)
            throws SQLException {
        for (String id : upsert(c, round.values().stream().map(rows::get).toList())) {
            written[round.get(id)] = Boolean.TRUE;
        }
    }

    /** The rows' positions in rounds in which each id appears once, earlier writes of an id in earlier rounds. */
    private static List<Map<String, Integer>> rounds(List<Row> rows) {
        List<Map<String, Integer>> rounds = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            String id = rows.get(i).id();
            int r = 0;
            while (r < rounds.size() && rounds.get(r).containsKey(id)) {
                r++;
            }
            if (r == rounds.size()) {
                rounds.add(new HashMap<>());
            }
            rounds.get(r).put(id, i);
        }
        return rounds;
    }

    /** The ids written (those not decided before). */
    private static List<String> upsert(Connection c, List<Row> rows) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(UPSERT)) {
            int p = 1;
            s.setArray(p++, texts(c, rows, Row::id));
            s.setArray(p++, texts(c, rows, Row::type));
            s.setArray(p++, texts(c, rows, r -> r.status().name()));
            s.setArray(p++, c.createArrayOf("int4", column(rows, Row::attempts, Integer[]::new)));
            s.setArray(p++, texts(c, rows, Row::dlpSystem));
            s.setArray(p++, texts(c, rows, Row::dlpAddress));
            s.setArray(p++, c.createArrayOf("int8", column(rows, Row::mid, Long[]::new)));
            s.setArray(p++, texts(c, rows, Row::chat));
            s.setArray(p++, texts(c, rows, Row::sender));
            s.setArray(p++, texts(c, rows, Row::fileHash));
            s.setArray(p++, texts(c, rows, Row::fileName));
            s.setArray(p++, texts(c, rows, r -> r.at().topic()));
            s.setArray(p++, c.createArrayOf("int4", column(rows, r -> r.at().partition(), Integer[]::new)));
            s.setArray(p++, c.createArrayOf("int8", column(rows, r -> r.at().offset(), Long[]::new)));
            s.setArray(p++, c.createArrayOf("text", column(rows, r -> text(r.eventTs()), String[]::new)));
            s.setArray(p++, micros(c, rows, Row::received));
            s.setArray(p++, micros(c, rows, Row::now));
            s.setArray(p++, c.createArrayOf("bytea", column(rows, Row::content, byte[][]::new)));
            s.setArray(p++, c.createArrayOf("int8", column(rows, Row::fileSize, Long[]::new)));
            s.setArray(p++, texts(c, rows, Row::fileMime));
            s.setArray(p++, texts(c, rows, Row::reason));
            s.setArray(p++, texts(c, rows, Row::reference));
            s.setArray(p++, texts(c, rows, Row::error));
            // An array per row, which unnest would flatten: every row's terms go in one array, each row names its
            // slice of it (none when it has no terms).
            Terms terms = Terms.of(rows);
            s.setArray(p++, c.createArrayOf("int4", terms.from()));
            s.setArray(p++, c.createArrayOf("int4", terms.to()));
            s.setArray(p++, micros(c, rows, Row::nextAttempt));
            s.setArray(p, c.createArrayOf("int8", terms.all()));
            List<String> written = new ArrayList<>(rows.size());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    written.add(r.getString(1));
                }
            }
            return written;
        }
    }

    /**
     * One column of the rows, as an array of its own type: numbers go as {@code Integer[]} or {@code Long[]}, which
     * the driver sends in binary, rather than as an {@code Object[]}, which it writes out as an array literal for the
     * server to parse.
     */
    private static <T> T[] column(List<Row> rows, Function<Row, T> value, IntFunction<T[]> array) {
        T[] values = array.apply(rows.size());
        for (int i = 0; i < values.length; i++) {
            values[i] = value.apply(rows.get(i));
        }
        return values;
    }

    private static Array texts(Connection c, List<Row> rows, Function<Row, String> value) throws SQLException {
        return c.createArrayOf("text", column(rows, r -> storable(value.apply(r)), String[]::new));
    }

    /**
     * This gateway's own instants — when a row's event was received, when it is written, when it is to be tried again:
     * all of this century — as microseconds since the epoch, in binary; the server had parsed them from text, four
     * times a row. A fraction of a microsecond is dropped. An event's own time, of any year, still goes as text: the
     * statement turns microseconds into a {@code timestamptz} through a double, exact only within 285 years of 1970.
     */
    private static Array micros(Connection c, List<Row> rows, Function<Row, Instant> instant) throws SQLException {
        return c.createArrayOf("int8", column(rows, r -> micros(instant.apply(r)), Long[]::new));
    }

    private static Long micros(Instant instant) {
        return instant == null ? null : Timestamps.micros(instant);
    }

    /** An event's time as text, which the statement casts; written here, it holds nothing text cannot. */
    private static String text(Instant instant) {
        return instant == null ? null : Timestamps.format(instant);
    }

    /** {@code micros}, a column of microseconds since the epoch, as a {@code timestamptz} in the statement. */
    private static String instant(String micros) {
        return "timestamptz 'epoch' + " + micros + " * interval '1 microsecond'";
    }

    /** Every row's search terms in one array, and where each row's are in it (from 1, both ends included), or null. */
    private record Terms(Long[] all, Integer[] from, Integer[] to) {
        static Terms of(List<Row> rows) {
            Integer[] from = new Integer[rows.size()];
            Integer[] to = new Integer[rows.size()];
            int count = 0;
            for (int i = 0; i < from.length; i++) {
                long[] terms = rows.get(i).terms();
                if (terms != null) {
                    from[i] = count + 1;
                    count += terms.length;
                    to[i] = count;
                }
            }
            Long[] all = new Long[count];
            int n = 0;
            for (Row row : rows) {
                if (row.terms() != null) {
                    for (long term : row.terms()) {
                        all[n++] = term;
                    }
                }
            }
            return new Terms(all, from, to);
        }
    }

    /**
     * {@code text} as PostgreSQL's text can hold it: U+0000 becomes U+FFFD. One in an event's field or in a DLP's
     * answer would otherwise fail the whole flush, again on every retry, and hold up its partition for good.
     */
    private static String storable(String text) {
        return text == null || text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    }
}

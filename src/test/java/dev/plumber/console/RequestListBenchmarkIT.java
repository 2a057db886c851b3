package dev.plumber.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.status.ContentCipher;
import dev.plumber.status.Status;
import dev.plumber.status.StatusStore;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How fast the console's list answers with a million requests in the store: prints the median of several runs of
 * each query (first page, counts per status, filters, word search, a page deep in the keyset order). Prints, does
 * not assert timings (machines differ); {@code -Dplumber.benchmark.rows=N} changes the size.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class RequestListBenchmarkIT {
    private static final int ROWS = Integer.getInteger("plumber.benchmark.rows", 1_000_000);
    private static final int RUNS = 7;

    @Test
    void listQueriesWithAMillionRows() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            postgres.createDatabase("bench");
            DataSource dataSource = postgres.dataSource("bench");
            StatusStore.migrate(dataSource);
            byte[] key = new byte[32];
            ContentCipher cipher = new ContentCipher(key, new SecureRandom());
            long loadStart = System.nanoTime();
            load(dataSource, cipher);
            System.out.printf(
                    Locale.ROOT, "loaded %,d requests in %.1f s%n", ROWS, (System.nanoTime() - loadStart) / 1e9);

            RequestSearch search = new RequestSearch(dataSource, cipher);
            RequestSearch.Filter none = RequestSearch.Filter.NONE;
            RequestSearch.Page first = search.list(none, null, 50);
            assertThat(first.rows()).hasSize(50);
            RequestSearch.Cursor deep = new RequestSearch.Cursor(
                    Instant.parse("2026-01-01T00:00:00Z").plusSeconds(ROWS / 2), "zzzz");
            Instant lastHour = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(ROWS - 3600);

            report("first page, no filter", () -> search.list(none, null, 50));
            report("counts per status, no filter", () -> search.counts(none));
            report("next page (keyset)", () -> search.list(none, first.next(), 50));
            report("a page half-way down (keyset)", () -> search.list(none, deep, 50));
            RequestSearch.Filter blocked = filter(Status.BLOCKED, null, null, null, null);
            report("status=BLOCKED page", () -> search.list(blocked, null, 50));
            report("status=BLOCKED counts", () -> search.counts(blocked));
            RequestSearch.Filter retrying = filter(Status.RETRYING, null, null, null, null);
            report("status=RETRYING page", () -> search.list(retrying, null, 50));
            RequestSearch.Filter allowed = filter(Status.ALLOWED, null, null, null, null);
            report("status=ALLOWED page", () -> search.list(allowed, null, 50));
            RequestSearch.Filter accepted = filter(Status.ACCEPTED, null, null, null, null);
            report("status=ACCEPTED page (none)", () -> search.list(accepted, null, 50));
            RequestSearch.Filter files =
                    new RequestSearch.Filter(null, "file", null, null, null, null, null, null, null);
            report("type=file page", () -> search.list(files, null, 50));
            RequestSearch.Filter messages =
                    new RequestSearch.Filter(null, "message", null, null, null, null, null, null, null);
            report("type=message page", () -> search.list(messages, null, 50));
            RequestSearch.Filter sender = filter(null, "user42@corp.local", null, null, null);
            report("sender page", () -> search.list(sender, null, 50));
            report("sender counts", () -> search.counts(sender));
            RequestSearch.Filter chat = filter(null, null, "chat-777", null, null);
            report("chat page", () -> search.list(chat, null, 50));
            RequestSearch.Filter hash = filter(null, null, null, String.format(Locale.ROOT, "%064x", 4242), null);
            report("file hash page", () -> search.list(hash, null, 50));
            RequestSearch.Filter word = filter(null, null, null, null, "invoice");
            report("word search page", () -> search.list(word, null, 50));
            report("word search counts", () -> search.counts(word));
            RequestSearch.Filter rare = filter(null, null, null, null, "word4999 word17");
            report("two-word search page", () -> search.list(rare, null, 50));
            RequestSearch.Filter hour =
                    new RequestSearch.Filter(null, null, null, null, null, null, lastHour, null, null);
            report("last hour counts (health)", () -> search.counts(hour));
        }
    }

    private static RequestSearch.Filter filter(Status status, String sender, String chat, String hash, String text) {
        return new RequestSearch.Filter(status, null, sender, chat, hash, null, null, null, text);
    }

    private static void report(String name, Callable<?> query) throws Exception {
        query.call();
        long[] times = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            query.call();
            times[i] = System.nanoTime() - start;
        }
        Arrays.sort(times);
        System.out.printf(
                Locale.ROOT,
                "%-32s median %7.1f ms   max %7.1f ms%n",
                name,
                times[RUNS / 2] / 1e6,
                times[RUNS - 1] / 1e6);
    }

    /**
     * One request a second from 2026-01-01: 90 % messages (10 % of them carrying a file), 10 % files; 1 in 20
     * blocked; 1,000 senders, 5,000 chats; each message text has six words of a 5,000-word vocabulary, one in 50
     * the word "invoice". Written by the database itself, which is far faster than a million inserts.
     */
    private static void load(DataSource dataSource, ContentCipher cipher) throws SQLException {
        long[] vocabulary = new long[5_001];
        for (int i = 0; i < 5_000; i++) {
            vocabulary[i] = cipher.term("word" + i);
        }
        vocabulary[5_000] = cipher.term("invoice");
        try (Connection c = dataSource.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMP TABLE vocabulary (n int PRIMARY KEY, term bigint)");
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO vocabulary VALUES (?, ?)")) {
                for (int i = 0; i < vocabulary.length; i++) {
                    s.setInt(1, i);
                    s.setLong(2, vocabulary[i]);
                    s.addBatch();
                }
                s.executeBatch();
            }
            try (Statement s = c.createStatement()) {
                s.execute(
                        """
                        INSERT INTO gateway.requests (event_id, type, status, mid, chat, sender, file_hash, file_name,
                            reason, dlp_system, dlp_address, dlp_reference, attempts, kafka_topic, kafka_partition,
                            kafka_offset, event_ts, received_at, updated_at, completed_at, content, content_terms,
                            file_size, file_mime)
                        SELECT md5(g::text),
                               CASE WHEN g % 10 = 0 THEN 'file' ELSE 'message' END,
                               CASE WHEN g % 20 = 0 THEN 'BLOCKED' WHEN g % 97 = 0 THEN 'RETRYING' ELSE 'ALLOWED' END,
                               CASE WHEN g % 10 = 0 THEN NULL ELSE g END,
                               CASE WHEN g % 10 = 0 THEN NULL ELSE 'chat-' || (g % 5000) END,
                               'user' || (g % 1000) || '@corp.local',
                               CASE WHEN g % 10 IN (0, 1) THEN lpad(to_hex(g / 10), 64, '0') END,
                               CASE WHEN g % 10 = 0 THEN 'report-' || g || '.pdf' END,
                               CASE WHEN g % 20 = 0 THEN '403 Forbidden; X-Block-Reason: card number' END,
                               'icap', 'icap://dlp:1344/request', 'IST-1', 1, 'dlp.requests', g % 3, g / 3,
                               t, t, t, t,
                               CASE WHEN g % 10 = 0 THEN NULL ELSE decode(md5(g::text) || md5(g::text), 'hex') END,
                               CASE WHEN g % 10 = 0 THEN NULL ELSE ARRAY(
                                   SELECT term FROM vocabulary
                                   WHERE n IN ((g * 7) % 5000, (g * 13) % 5000, (g * 31) % 5000, (g * 57) % 5000,
                                               (g * 101) % 5000, CASE WHEN g % 50 = 1 THEN 5000 ELSE (g * 3) % 5000 END))
                               END,
                               CASE WHEN g % 10 = 0 THEN g END,
                               CASE WHEN g % 10 = 0 THEN 'application/pdf' END
                        FROM generate_series(1, :rows) AS g,
                             LATERAL (SELECT timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second' AS t) AS ts
                        """
                                .replace(":rows", Integer.toString(ROWS)));
                s.execute("VACUUM ANALYZE gateway.requests");
            }
        }
    }
}

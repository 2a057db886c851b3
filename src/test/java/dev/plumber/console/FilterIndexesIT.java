package dev.plumber.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.status.ContentCipher;
import dev.plumber.status.RequestQuery;
import dev.plumber.status.Status;
import dev.plumber.status.StatusStore;
import dev.plumber.testkit.Eventually;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The status and type filters' indexes hold only the rows such a filter picks out of the many — not the DLPs' usual
 * answers, not messages — so that writes do not pay for entries no filter reads; the console's and the API's filters
 * still read them.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FilterIndexesIT {
    private static final String STATUS_INDEX = "requests_status_page_idx";
    private static final String TYPE_INDEX = "requests_type_page_idx";

    @Test
    void theFiltersIndexesHoldTheRareRowsOnlyAndTheFiltersReadThem() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            postgres.createDatabase("filters");
            DataSource dataSource = postgres.dataSource("filters");
            StatusStore.migrate(dataSource);
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement()) {
                // 5,000 requests: messages allowed or accepted but for 10 blocked and 5 retrying, and 20 files.
                s.execute(
                        """
                        INSERT INTO gateway.requests (event_id, type, status, kafka_topic, kafka_partition,
                            kafka_offset, received_at, updated_at)
                        SELECT 'r' || g,
                               CASE WHEN g % 250 = 0 THEN 'file' ELSE 'message' END,
                               CASE WHEN g % 500 = 1 THEN 'BLOCKED' WHEN g % 1000 = 2 THEN 'RETRYING'
                                    WHEN g % 2 = 0 THEN 'ALLOWED' ELSE 'ACCEPTED' END,
                               'dlp.requests', 0, g, t, t
                        FROM generate_series(1, 5000) AS g,
                             LATERAL (SELECT timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second' AS t) AS ts
                        """);
                s.execute("ANALYZE gateway.requests"); // sets each index's entries; within VACUUM it would not
            }
            assertThat(entries(dataSource, STATUS_INDEX)).isEqualTo(15);
            assertThat(entries(dataSource, TYPE_INDEX)).isEqualTo(20);

            RequestSearch search = new RequestSearch(dataSource, new ContentCipher(new byte[32], new SecureRandom()));
            long statusScans = scans(dataSource, STATUS_INDEX);
            long typeScans = scans(dataSource, TYPE_INDEX);
            assertThat(search.list(filter(Status.BLOCKED, null), null, 50).rows())
                    .hasSize(10)
                    .allMatch(r -> r.request().status() == Status.BLOCKED);
            assertThat(search.list(filter(null, "file"), null, 50).rows())
                    .hasSize(20)
                    .allMatch(r -> r.request().type().equals("file"));
            StatusStore store = new StatusStore(dataSource, Clock.systemUTC());
            try {
                assertThat(store.query(query(Status.RETRYING, null)).items()).hasSize(5);
                assertThat(store.query(query(null, "file")).total()).isEqualTo(20);
                // A usual answer reads the newest-first index; a type never written matches nothing.
                assertThat(search.list(filter(Status.ACCEPTED, null), null, 50).rows())
                        .hasSize(50)
                        .allMatch(r -> r.request().status() == Status.ACCEPTED);
                assertThat(store.query(query(null, "message'--")).total()).isZero();
            } finally {
                store.close();
            }
            // Each connection above was a backend of its own, which reports its statistics as it ends.
            Eventually.within(Duration.ofSeconds(30), () -> {
                assertThat(scans(dataSource, STATUS_INDEX)).isGreaterThanOrEqualTo(statusScans + 2);
                assertThat(scans(dataSource, TYPE_INDEX)).isGreaterThanOrEqualTo(typeScans + 2);
                return null;
            });
        }
    }

    private static RequestSearch.Filter filter(Status status, String type) {
        return new RequestSearch.Filter(status, type, null, null, null, null, null, null, null);
    }

    private static RequestQuery query(Status status, String type) {
        return new RequestQuery(status, type, null, null, null, null, null, null, 50, 0);
    }

    /** The index's entries as ANALYZE counted them (all of them: it samples 30,000 rows). */
    private static long entries(DataSource dataSource, String index) throws Exception {
        return single(dataSource, "SELECT reltuples::bigint FROM pg_class WHERE relname = ?", index);
    }

    private static long scans(DataSource dataSource, String index) throws Exception {
        return single(dataSource, "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = ?", index);
    }

    private static long single(DataSource dataSource, String sql, String index) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, index);
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).as(sql + " for " + index).isTrue();
                return r.getLong(1);
            }
        }
    }
}

package dev.plumber.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.event.MessageEvent;
import dev.plumber.status.StatusStore.Change;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.ds.PGSimpleDataSource;

/** The search terms' pending list on a real PostgreSQL: writes leave their terms there, the merger empties it. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TermsMergerIT {
    private static final ContentCipher CIPHER = new ContentCipher(new byte[32], new SecureRandom());
    private static EmbeddedPostgres postgres;
    private static DataSource dataSource;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start();
        postgres.createDatabase("terms_it");
        dataSource = postgres.dataSource("terms_it");
        StatusStore.migrate(dataSource);
        try (Connection c = dataSource.getConnection();
                var s = c.createStatement()) {
            s.execute("CREATE EXTENSION pgstattuple");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void writesLeaveTheirTermsPendingAndTheMergerMovesThemIntoTheIndexWhereSearchesFindThemAllAlong() throws Exception {
        try (StatusStore store = new StatusStore(dataSource, Clock.systemUTC(), CIPHER)) {
            for (int i = 0; i < 200; i++) {
                MessageEvent e = new MessageEvent(
                        UUID.randomUUID(),
                        i,
                        "alice",
                        "chat-1",
                        "group",
                        "the quarterly figures, part " + i,
                        null,
                        null,
                        "10.0.0.1",
                        Instant.now(),
                        false);
                assertThat(store.write(e, new KafkaCoordinates("dlp.requests", 0, i), Instant.now(), decided()))
                        .isTrue();
            }
        }
        assertThat(pendingTuples()).isPositive();
        assertThat(rowsFoundByIndex("quarterly")).isEqualTo(200);
        assertThat(rowsFoundByIndex("part")).isEqualTo(200);

        try (TermsMerger merger = TermsMerger.start(dataSource, Duration.ofMillis(100))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pendingTuples() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(pendingTuples()).isZero();
            assertThat(merger.mergeOnce()).as("nothing left to merge").isZero();
        }
        assertThat(rowsFoundByIndex("quarterly")).isEqualTo(200);
        assertThat(rowsFoundByIndex("figures")).isEqualTo(200);
        assertThat(rowsFoundByIndex("secret")).isZero();
    }

    @Test
    void aUserWhoDoesNotOwnTheIndexIsRefusedWithTheStateTheMergerGivesUpOn() throws Exception {
        try (Connection c = dataSource.getConnection();
                var s = c.createStatement()) {
            s.execute("CREATE ROLE terms_reader LOGIN");
            s.execute("GRANT USAGE ON SCHEMA gateway TO terms_reader");
        }
        PGSimpleDataSource reader = new PGSimpleDataSource();
        reader.setUrl(postgres.jdbcUrl("terms_it"));
        reader.setUser("terms_reader");
        try (TermsMerger merger = TermsMerger.start(reader, Duration.ofHours(1))) {
            assertThatThrownBy(merger::mergeOnce)
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
        }
    }

    private static Change decided() {
        return Change.decided(Status.ALLOWED, null, null, null).attempt("searchinform", "icap://dlp:1344/reqmod");
    }

    private static long pendingTuples() throws SQLException {
        try (Connection c = dataSource.getConnection();
                var s = c.createStatement();
                var r = s.executeQuery("SELECT pending_tuples FROM pgstatginindex('gateway.requests_terms_idx')")) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Rows whose terms hold {@code word}'s, found through the terms index (sequential scans off). */
    private static int rowsFoundByIndex(String word) throws SQLException {
        try (Connection c = dataSource.getConnection();
                var s = c.prepareStatement(
                        "SELECT count(*) FROM gateway.requests WHERE content_terms @> ARRAY[?]::int8[]")) {
            try (var off = c.createStatement()) {
                off.execute("SET enable_seqscan = off");
            }
            s.setLong(1, CIPHER.term(word));
            try (var r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }
}

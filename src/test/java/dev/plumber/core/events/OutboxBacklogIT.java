package dev.plumber.core.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.plumber.core.store.Database;
import dev.plumber.embedded.EmbeddedPostgres;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The outbox's backlog as the core's meters read it, against a migrated database with no relay draining it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutboxBacklogIT {

    @Test
    void countsWaitingRowsExactlyThenByTheSpanOfTheirIdsAndAgesTheOldest() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            postgres.createDatabase("backlog");
            Database db = new Database(postgres.dataSource("backlog"));
            db.migrate();

            assertThat(db.autoCommit(OutboxBacklog::read)).isEqualTo(new OutboxBacklog.Reading(0, 0, 0));

            execute(
                    db,
                    "INSERT INTO core.outbox (topic, event_key, value, created_at)"
                            + " SELECT 't', 'k', '\\x00', now() - interval '60 seconds' FROM generate_series(1, 3)");
            execute(db, "INSERT INTO core.outbox (topic, event_key, value) VALUES ('t', 'k', '\\x00')");
            execute(
                    db,
                    "INSERT INTO core.outbox_parked (id, topic, event_key, value, created_at, reason)"
                            + " VALUES (-1, 't', 'k', '\\x00', now(), 'too large')");
            OutboxBacklog.Reading few = db.autoCommit(OutboxBacklog::read);

            assertThat(few.rows()).isEqualTo(4);
            assertThat(few.oldestAgeSeconds()).isCloseTo(60, within(5.0));
            assertThat(few.parkedRows()).isEqualTo(1);

            execute(
                    db,
                    "INSERT INTO core.outbox (topic, event_key, value)"
                            + " SELECT 't', 'k', '\\x00' FROM generate_series(1, " + (OutboxBacklog.COUNTED + 100)
                            + ")");
            execute(db, "DELETE FROM core.outbox WHERE id BETWEEN 100 AND 149");
            // 10,104 ids, 50 of them deleted: beyond the exact count the span of the ids stands for the rows.
            assertThat(db.autoCommit(OutboxBacklog::read).rows()).isEqualTo(OutboxBacklog.COUNTED + 104);
        }
    }

    private static void execute(Database db, String sql) throws Exception {
        db.autoCommit(c -> {
            try (Statement s = c.createStatement()) {
                return s.execute(sql);
            }
        });
    }
}

package dev.plumber.embedded;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/** A PostgreSQL server started from binaries shipped on Maven Central, for the demo and integration tests. */
public final class EmbeddedPostgres implements AutoCloseable {
    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static EmbeddedPostgres start() throws IOException {
        return new EmbeddedPostgres(builder().start());
    }

    /** A server whose data lives in {@code dataDirectory} (emptied first), e.g. on a memory file system. */
    public static EmbeddedPostgres startIn(Path dataDirectory) throws IOException {
        return new EmbeddedPostgres(builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(true)
                .start());
    }

    private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres.Builder builder() {
        return io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off");
    }

    /** Creates {@code name} (owned by the superuser {@code postgres}) and returns its JDBC URL. */
    public String createDatabase(String name) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return jdbcUrl(name);
    }

    public String jdbcUrl(String database) {
        return postgres.getJdbcUrl("postgres", database);
    }

    public String user() {
        return "postgres";
    }

    public DataSource dataSource(String database) {
        return postgres.getDatabase("postgres", database);
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}

package dev.plumber.embedded;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;

/** A PostgreSQL server started from binaries shipped on Maven Central, for the demo and integration tests. */
public final class EmbeddedPostgres implements AutoCloseable {
    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static EmbeddedPostgres start() throws IOException {
        return start(null, Map.of());
    }

    /**
     * A server with {@code settings} on top of the defaults, whose data lives in {@code dataDirectory} (emptied first),
     * e.g. on a memory file system, or in a temporary directory when it is null.
     */
    public static EmbeddedPostgres start(Path dataDirectory, Map<String, String> settings) throws IOException {
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres.Builder builder = builder();
        settings.forEach(builder::setServerConfig);
        if (dataDirectory != null) {
            builder.setDataDirectory(dataDirectory).setCleanDataDirectory(true);
        }
        return new EmbeddedPostgres(builder.start());
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

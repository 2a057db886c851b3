package dev.plumber.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL server (zonky's binaries from Maven Central) on a fixed loopback port and data directory, so a
 * test can stop the server process and start it again where clients left it: {@link #stop()} is {@code pg_ctl stop}
 * in fast mode (every session is cut, the server exits), {@link #start()} brings up the same cluster on the same port.
 */
public final class RestartablePostgres implements AutoCloseable {
    private static final String USER = "postgres";

    private final Path data;
    private final int port;
    private io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;

    private RestartablePostgres(Path data, int port) {
        this.data = data;
        this.port = port;
    }

    /** Initialises a fresh cluster in a temporary directory and starts it. */
    public static RestartablePostgres launch() {
        return FreePorts.retryingPortClashes(() -> {
            Path data;
            try {
                data = Files.createTempDirectory("plumber-pg-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            RestartablePostgres postgres = new RestartablePostgres(data, FreePorts.one());
            try {
                postgres.start();
                return postgres;
            } catch (RuntimeException e) {
                postgres.close();
                throw e;
            }
        });
    }

    /** Starts the server (again, after {@link #stop()}) on the same port and data; returns once it accepts logins. */
    public synchronized void start() {
        if (server != null) {
            throw new IllegalStateException("PostgreSQL is already running on port " + port);
        }
        try {
            server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(false) // initdb only when the directory holds no cluster yet
                    .setPort(port)
                    // Durable commits: what the gateway was told is committed must survive the stop.
                    .setServerConfig("fsync", "off")
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start PostgreSQL on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** Stops the server process (fast shutdown: sessions are terminated); data and port stay for {@link #start()}. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop PostgreSQL on port " + port, e);
        } finally {
            server = null;
        }
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    public String user() {
        return USER;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Creates {@code name} (owned by the superuser) and returns its JDBC URL. */
    public String createDatabase(String name) throws SQLException {
        try (Connection c = dataSource("postgres").getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return jdbcUrl(name);
    }

    /** A data source that outlives restarts: each connection is opened anew. */
    public DataSource dataSource(String database) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl(jdbcUrl(database));
        source.setUser(USER);
        source.setConnectTimeout(5);
        return source;
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            ChildProcess.deleteTree(data);
        }
    }
}

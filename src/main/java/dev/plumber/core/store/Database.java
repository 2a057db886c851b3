package dev.plumber.core.store;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The core's PostgreSQL schema {@code core}: migrations at start, and one transaction per unit of work. Statements
 * name their tables schema-qualified ({@code core.messages}), so a transaction costs no round trip to set a search
 * path and a table of the same name elsewhere on the path is never picked up.
 */
public final class Database {
    private final DataSource dataSource;

    public Database(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Brings schema {@code core} up to date from {@code classpath:db/core}. */
    public void migrate() {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas("core")
                .locations("classpath:db/core")
                .load()
                .migrate();
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection, e);
                throw e;
            } catch (Error e) {
                rollbackQuietly(connection, e);
                throw e;
            }
        }
    }

    /** Runs {@code work} on a connection in auto-commit mode: each statement commits on its own, one round trip. */
    public <T> T autoCommit(Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            return work.run(connection);
        }
    }

    private static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** Database work inside a transaction; domain failures are unchecked and roll it back. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }
}

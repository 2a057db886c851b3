package dev.plumber.status;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/** Whether events were decided before, asked for many events in one statement (no transaction, nothing written). */
final class DecidedLookup implements AutoCloseable {
    private static final String DECIDED =
            "SELECT event_id FROM gateway.requests WHERE event_id = ANY (?)" + " AND status IN " + Status.TERMINAL_SQL;

    private final DataSource dataSource;
    private final Batcher<String, Boolean> batches;

    DecidedLookup(DataSource dataSource) {
        this.dataSource = dataSource;
        this.batches = new Batcher<>("plumber-status-lookup", 1, 0, 0, this::lookUp);
    }

    boolean decided(String id) throws SQLException {
        return batches.submit(id);
    }

    @Override
    public void close() {
        batches.close();
    }

    private List<Boolean> lookUp(List<String> ids) throws SQLException {
        Set<String> decided = new HashSet<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(DECIDED)) {
            s.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    decided.add(r.getString(1));
                }
            }
        }
        return ids.stream().map(decided::contains).toList();
    }
}

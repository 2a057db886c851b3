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
final class DecidedLookup {
    private static final String DECIDED =
            "SELECT event_id FROM gateway.requests WHERE event_id = ANY (?) AND status IN " + Status.TERMINAL_SQL;

    private DecidedLookup() {}

    /** One reader: an event id handed over comes back true when its event was decided before. */
    static Batcher<String, Boolean> start(DataSource dataSource, Batcher.Observer observer) {
        return new Batcher<>("plumber-status-lookup", 1, 0, 0, ids -> lookUp(dataSource, ids), observer);
    }

    private static List<Boolean> lookUp(DataSource dataSource, List<String> ids) throws SQLException {
        Set<String> decided = new HashSet<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(DECIDED)) {
            s.setArray(1, c.createArrayOf("text", ids.toArray(String[]::new)));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    decided.add(r.getString(1));
                }
            }
        }
        return ids.stream().map(decided::contains).toList();
    }
}

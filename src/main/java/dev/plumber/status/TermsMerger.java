package dev.plumber.status;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges the search terms that writes left in the terms index's pending list into the index, once a second and off
 * the write path (migration V5). Merged in bulk, a term costs less than half of what it costs a write that takes it
 * into the tree itself, and a search scans at most a second's worth of pending terms. Should merging stop, a write
 * merges the list once it passes its limit, and autovacuum merges it too: nothing is lost, only the cost moves back.
 */
public final class TermsMerger implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TermsMerger.class);
    private static final String MERGE = "SELECT gin_clean_pending_list('gateway.requests_terms_idx'::regclass)";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private final DataSource dataSource;
    private final Duration every;
    private final Thread thread;
    private volatile boolean open = true;

    private TermsMerger(DataSource dataSource, Duration every) {
        this.dataSource = dataSource;
        this.every = every;
        this.thread = Thread.ofVirtual().name("plumber-terms-merger").unstarted(this::loop);
    }

    /** Merges every {@code every} until closed. */
    public static TermsMerger start(DataSource dataSource, Duration every) {
        TermsMerger merger = new TermsMerger(dataSource, every);
        merger.thread.start();
        return merger;
    }

    /** Merges what is pending now; returns the pending-list pages merged. */
    long mergeOnce() throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                var r = s.executeQuery(MERGE)) {
            r.next();
            return r.getLong(1);
        }
    }

    private void loop() {
        boolean failing = false;
        while (open) {
            // From the end of the last merge, so that a merge that waited out an outage is not followed by a burst.
            long due = System.nanoTime() + every.toNanos();
            for (long wait; open && (wait = due - System.nanoTime()) > 0; ) {
                LockSupport.parkNanos(wait);
            }
            if (!open) {
                return;
            }
            try {
                mergeOnce();
                if (failing) {
                    log.info("merging the search terms' pending list works again");
                    failing = false;
                }
            } catch (SQLException e) {
                if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                    log.warn(
                            "the database user may not merge the search terms' pending list ({}); writes and"
                                    + " autovacuum merge it instead",
                            e.getMessage());
                    return;
                }
                if (!failing) {
                    log.warn("merging the search terms' pending list failed, trying again: {}", e.getMessage());
                    failing = true;
                }
            }
        }
    }

    /** Stops merging; a merge under way finishes first. */
    @Override
    public void close() {
        open = false;
        LockSupport.unpark(thread);
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

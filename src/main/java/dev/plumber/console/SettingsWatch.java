package dev.plumber.console;

import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSettingsSource;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Journals the gateway's own settings events in the console journal: DLP settings taking effect and changes being
 * rejected, as each gateway sees them (actor {@code gateway}, target the replica). It observes the settings source
 * on each {@link #check()}, which the gateway schedules; secrets stay masked ({@link DlpSettings#describe()}).
 */
public final class SettingsWatch implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(SettingsWatch.class);

    /** Where entries go ({@link Journals#add} in the gateway). */
    public interface Sink {
        void add(Journals.Entry entry) throws SQLException;
    }

    private final DlpSettingsSource settings;
    private final Sink sink;
    private final String replica;
    private final Clock clock;
    private String lastApplied;
    private String lastProblem;

    public SettingsWatch(DlpSettingsSource settings, Sink sink, String replica, Clock clock) {
        this.settings = settings;
        this.sink = sink;
        this.replica = replica;
        this.clock = clock;
    }

    /** Journals what changed since the last check; a failed write is tried again at the next check. */
    public synchronized void check() throws SQLException {
        String applied = settings.current().map(DlpSettings::describe).orElse(null);
        String problem = settings.problem();
        if (applied != null && !applied.equals(lastApplied)) {
            sink.add(entry("settings.applied", applied));
            lastApplied = applied;
        }
        if (problem != null && !problem.equals(lastProblem)) {
            sink.add(entry("settings.rejected", problem));
        }
        lastProblem = problem;
    }

    @Override
    public void run() {
        try {
            check();
        } catch (SQLException | RuntimeException e) {
            log.warn("settings events not journaled yet: {}", e.toString());
        }
    }

    private Journals.Entry entry(String action, String details) {
        return new Journals.Entry(
                UUID.randomUUID().toString(),
                "console",
                action,
                "gateway",
                replica,
                null,
                clock.instant(),
                Objects.requireNonNull(details));
    }
}

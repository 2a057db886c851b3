package dev.plumber.cli;

import dev.plumber.core.CoreConfig;
import dev.plumber.core.events.ParkedEvents;
import dev.plumber.core.store.Database;
import dev.plumber.settings.InvalidSettingsException;
import java.io.File;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code plumber outbox parked} and {@code plumber outbox requeue-parked}: the core's DLP events Kafka refused for
 * good. A group of its own rather than subcommands of {@code plumber core}, whose required {@code --config} picocli
 * would demand before any subcommand ({@code plumber core --config FILE requeue-parked}).
 */
@Command(
        name = "outbox",
        mixinStandardHelpOptions = true,
        description = "The messenger core's outbox: events Kafka refused for good.",
        subcommands = {OutboxCommand.Parked.class, OutboxCommand.RequeueParked.class})
final class OutboxCommand extends CommandGroup {

    @Command(
            name = "parked",
            mixinStandardHelpOptions = true,
            description = "List the events Kafka refused for good (core.outbox_parked), oldest first, with the reason.")
    static final class Parked implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "The core's core.yml.")
        File config;

        @Override
        public Integer call() throws Exception {
            List<ParkedEvents.Parked> parked;
            try {
                parked = parkedEvents(config).list();
            } catch (SQLException e) {
                throw databaseError(e);
            }
            if (parked.isEmpty()) {
                System.out.println("no parked events");
                return 0;
            }
            System.out.println(parked.size() + " parked event(s); once the cause is fixed,"
                    + " 'plumber outbox requeue-parked' sends them again:");
            for (ParkedEvents.Parked p : parked) {
                System.out.println("#" + p.id() + " " + p.topic() + " key " + p.key() + ", " + p.bytes()
                        + " bytes, written " + p.createdAt() + ", parked " + p.parkedAt() + ": " + p.reason());
            }
            return 0;
        }
    }

    @Command(
            name = "requeue-parked",
            mixinStandardHelpOptions = true,
            description = "Move every parked event back into the core's outbox in one transaction, in its"
                    + " original order and with its id; the running core sends them, or parks them again if Kafka"
                    + " still refuses them.")
    static final class RequeueParked implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "The core's core.yml.")
        File config;

        @Override
        public Integer call() throws Exception {
            int requeued;
            try {
                requeued = parkedEvents(config).requeue();
            } catch (SQLException e) {
                throw databaseError(e);
            }
            System.out.println(
                    requeued == 0
                            ? "no parked events"
                            : "requeued " + requeued + " parked event(s) into the outbox; the running core sends them"
                                    + " within a second");
            return 0;
        }
    }

    /** A data source of one connection at a time, with no pool to wait on: an unreachable database fails at once. */
    private static ParkedEvents parkedEvents(File config) throws InvalidSettingsException {
        CoreConfig.Store store = CoreConfig.load(config.toPath()).store();
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(store.url());
        dataSource.setUser(store.user());
        dataSource.setPassword(store.password());
        return new ParkedEvents(new Database(dataSource));
    }

    /** No table yet is a database the core (of a version that parks) never started on, or the wrong database. */
    private static IllegalStateException databaseError(SQLException e) {
        if ("42P01".equals(e.getSQLState())) {
            return new IllegalStateException("the core's database has no table core.outbox_parked: check store.url,"
                    + " or start the core on it once to create it");
        }
        return new IllegalStateException("cannot use the core's database: " + e.getMessage(), e);
    }
}

package dev.plumber.core;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.plumber.api.Health;
import dev.plumber.api.OperationsApi;
import dev.plumber.auth.LoginThrottle;
import dev.plumber.auth.PasswordHasher;
import dev.plumber.core.chats.Chats;
import dev.plumber.core.chats.Messages;
import dev.plumber.core.events.DlpEvents;
import dev.plumber.core.events.Journal;
import dev.plumber.core.events.OutboxBacklog;
import dev.plumber.core.events.StatusConsumer;
import dev.plumber.core.files.FileStore;
import dev.plumber.core.http.AdminApi;
import dev.plumber.core.http.CoreApi;
import dev.plumber.core.http.Errors;
import dev.plumber.core.store.Database;
import dev.plumber.core.store.DatabaseReading;
import dev.plumber.core.store.MessageCipher;
import dev.plumber.core.users.AccountAdmin;
import dev.plumber.core.users.Accounts;
import dev.plumber.core.users.BearerTokens;
import dev.plumber.core.users.SessionCache;
import dev.plumber.crypto.Sealer;
import dev.plumber.metrics.Meters;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messenger core, running: schema migrated, bootstrap accounts created, the HTTP API listening and the outbox
 * relay sending DLP events. {@link #close()} stops all of it.
 */
public final class CoreServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoreServer.class);

    /**
     * How long a bearer token's account and a chat's members, once read, answer requests without the database: the
     * send path then costs no look-up round trips for a sender who keeps sending. Log-out and administrators' changes
     * act at once; changes made outside this process are seen within this time.
     */
    private static final Duration CACHE_FRESHNESS = Duration.ofSeconds(1);

    private static final int CACHED_SESSIONS = 100_000;

    private static final int RESPONSE_COPY_BUFFER = 8 * 1024;

    /**
     * How long a reading of the database for the meters or readiness serves every scrape and probe, and how long one
     * waits for it: within a probe's timeout (3 s in the chart) however long the pool waits for a connection.
     */
    private static final Duration READING_FRESHNESS = Duration.ofSeconds(1);

    private static final Duration READING_PATIENCE = Duration.ofSeconds(1);

    private final Javalin app;
    private final List<AutoCloseable> resources;

    private CoreServer(Javalin app, List<AutoCloseable> resources) {
        this.app = app;
        this.resources = resources;
    }

    /** Starts the core on the database of {@code config.store}. */
    public static CoreServer start(CoreConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.store().url());
        hikari.setUsername(config.store().user());
        hikari.setPassword(config.store().password());
        hikari.setPoolName("core");
        hikari.setMaximumPoolSize(10);
        HikariDataSource dataSource = new HikariDataSource(hikari);
        return start(config, dataSource, List.of(dataSource));
    }

    /** Starts the core on {@code dataSource} (not closed by {@link #close()}); {@code config.store.url} is unused. */
    public static CoreServer start(CoreConfig config, DataSource dataSource) {
        return start(config, dataSource, List.of());
    }

    private static CoreServer start(CoreConfig config, DataSource dataSource, List<AutoCloseable> owned) {
        // Closed in reverse: HTTP first, then the relay and producers, then what the core was handed or opened.
        List<AutoCloseable> resources = new ArrayList<>(owned);
        try {
            SecureRandom random = Sealer.random();
            Clock clock = Clock.systemUTC();
            Database db = new Database(dataSource);
            db.migrate();
            MessageCipher cipher = MessageCipher.fromKeyFiles(
                    config.store().keyFile(), config.store().previousKeyFiles(), random);
            DlpEvents events = DlpEvents.start(config, db, cipher);
            resources.add(events);
            Journal journal = events.journal(db, config.kafka().topics(), clock);
            PasswordHasher hasher = new PasswordHasher(config.users().passwordIterations());
            SessionCache sessions = new SessionCache(clock, CACHE_FRESHNESS, CACHED_SESSIONS);
            Accounts accounts = new Accounts(
                    db,
                    hasher,
                    new BearerTokens(random),
                    journal,
                    config.users().sessionTtl(),
                    sessions);
            accounts.bootstrap(config.users().bootstrap());
            boolean hideBlocked = config.blocking().hideBlocked();
            if (!config.files().serviceToken().isEmpty()
                    && config.files().serviceToken().length() < 24) {
                LOG.warn("files.serviceToken is shorter than 24 characters: use a long random secret");
            }
            FileStore files = new FileStore(
                    db, events, config.files().dir(), config.files().maxSize(), clock, hideBlocked);
            Chats chats = new Chats(db, clock, CACHE_FRESHNESS);
            CoreApi api = new CoreApi(
                    accounts,
                    chats,
                    new Messages(
                            db,
                            chats,
                            cipher,
                            events,
                            clock,
                            hideBlocked,
                            config.messages().maxLength()),
                    files,
                    config.files().serviceToken(),
                    new LoginThrottle(
                            config.users().loginFailures(), config.users().loginLockout(), clock));
            AdminApi adminApi =
                    new AdminApi(accounts, new AccountAdmin(db, hasher, journal, sessions), api::accountSessionsEnded);
            resources.add(StatusConsumer.start(config.kafka(), db, api::messageBlocked));
            OperationsApi operations = operations(db, events, clock, resources);

            Javalin app = Javalin.create(c -> {
                c.useVirtualThreads = true;
                c.showJavalinBanner = false;
                c.http.disableCompression();
                // Javalin copies each response body through a buffer of this size, allocated per response; its
                // default (32 KB) was the largest allocation of a send, for replies of a few dozen bytes.
                c.http.responseBufferSize = RESPONSE_COPY_BUFFER;
                c.jetty.multipartConfig.cacheDirectory(files.incomingDir().toString());
                c.jetty.multipartConfig.maxFileSize(config.files().maxSize(), SizeUnit.BYTES);
                c.jetty.multipartConfig.maxInMemoryFileSize(64, SizeUnit.KB);
            });
            Errors.register(app);
            operations.routes(app);
            api.routes(app);
            adminApi.routes(app);
            app.start(config.http().port());
            resources.add(app::stop);
            journal.system("core.started", null, null, Map.of("port", app.port()));
            LOG.info(
                    "messenger core listening on port {}; DLP events to {} on {}",
                    app.port(),
                    config.kafka().topics().requests(),
                    config.kafka().bootstrapServers());
            return new CoreServer(app, resources);
        } catch (SQLException e) {
            closeAll(resources);
            throw new IllegalStateException("cannot prepare the core's database: " + e.getMessage(), e);
        } catch (IOException e) {
            closeAll(resources);
            throw new UncheckedIOException("cannot prepare the file store: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    public int port() {
        return app.port();
    }

    /**
     * The meters and the health checks; the JVM's meters' binder joins {@code resources}. One database reading serves
     * the outbox gauges and readiness: that it answers is what readiness asks of the database.
     */
    private static OperationsApi operations(Database db, DlpEvents events, Clock clock, List<AutoCloseable> resources) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        resources.add(Meters.bindJvm(registry));
        DatabaseReading<OutboxBacklog.Reading> backlog = new DatabaseReading<>(
                () -> db.autoCommit(OutboxBacklog::read), clock, READING_FRESHNESS, READING_PATIENCE);
        CoreMeters meters = new CoreMeters(registry);
        meters.outboxBacklog(() -> {
            DatabaseReading.Outcome<OutboxBacklog.Reading> outcome = backlog.get();
            return outcome.ok() ? outcome.value() : OutboxBacklog.Reading.UNKNOWN;
        });
        meters.outboxRelay(events);
        Supplier<Health> liveness = () -> new Health().required("relay", relayProblem(events));
        Supplier<Health> readiness =
                () -> new Health().required("database", backlog.get().problem());
        return new OperationsApi(registry, liveness, readiness);
    }

    /**
     * Null while the outbox relay runs. It rides out Kafka's and the database's outages, and stops only on an error
     * (logged) that nothing but a restart mends: that is what liveness is for. Kafka being down does not make the core
     * unready either: the outbox keeps what users write until it is back, which is what it is for.
     */
    private static String relayProblem(DlpEvents events) {
        return events.relayRunning() ? null : "the outbox relay has stopped; events wait in the outbox";
    }

    @Override
    public void close() {
        closeAll(resources);
    }

    /** Closes in reverse order of start, so no request writes after the relay stopped. */
    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable resource : resources.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("error while stopping the core: {}", e.toString());
            }
        }
        resources.clear();
    }
}

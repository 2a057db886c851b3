package dev.plumber.gateway;

import com.zaxxer.hikari.HikariDataSource;
import dev.plumber.api.ConsoleAccounts;
import dev.plumber.api.GatewayHttp;
import dev.plumber.api.Health;
import dev.plumber.auth.PasswordHasher;
import dev.plumber.auth.TokenSessions;
import dev.plumber.console.ConsoleAssembly;
import dev.plumber.console.Journals;
import dev.plumber.delivery.DeliveryPolicy;
import dev.plumber.delivery.DlpSender;
import dev.plumber.intake.DeadLetters;
import dev.plumber.intake.EventProcessor;
import dev.plumber.intake.RequestConsumer;
import dev.plumber.lifecycle.ResourceStack;
import dev.plumber.metrics.Meters;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSettingsSource;
import dev.plumber.settings.DlpSystem;
import dev.plumber.settings.GatewayConfig;
import dev.plumber.status.ContentCipher;
import dev.plumber.status.StatusPublisher;
import dev.plumber.status.StatusStore;
import dev.plumber.status.TermsMerger;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gateway assembled: Kafka intake → delivery policy → DLP, statuses in PostgreSQL, and its HTTP surface. */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final ResourceStack resources = new ResourceStack();
    private final GatewayHttp http;
    private final ConsoleAccounts accounts;

    private Gateway(
            GatewayConfig config,
            DlpSettingsSource settings,
            Map<DlpSystem, DlpSender> senders,
            PasswordHasher hasher,
            Duration sendingAfter)
            throws Exception {
        Clock clock = Clock.systemUTC();
        try {
            resources.push(settings);
            senders.values().forEach(resources::push);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            resources.push(Meters.bindJvm(registry));
            Meters meters = new Meters(registry);
            meters.settingsRejected(settings::rejectedChanges);
            senders.forEach((system, sender) -> {
                meters.dlpHalted(system.key(), () -> sender.halted().isPresent());
                meters.dlpBodyBytes(system.key(), sender::bodyBytesSent);
            });

            HikariDataSource dataSource = Connections.dataSource(config.store());
            resources.push(dataSource);
            StatusStore.migrate(dataSource);
            ContentCipher cipher = ConsoleAssembly.contentCipher(config.console());
            StatusStore store = new StatusStore(dataSource, clock, cipher, meters::statusFlush);
            resources.push(store);
            resources.push(TermsMerger.start(dataSource, Duration.ofSeconds(1)));
            accounts = new ConsoleAccounts(dataSource, hasher);
            GatewayConfig.Account admin = config.console().bootstrapAdmin();
            if (!admin.email().isBlank() && accounts.isEmpty()) {
                accounts.create(admin.email(), admin.password(), ConsoleAccounts.Role.ADMIN);
                log.info("console: created the first admin account {}", admin.email());
            }

            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Connections.producer(config.kafka()));
            resources.push(producer);
            GatewayConfig.Topics topics = config.kafka().topics();
            DeliveryPolicy policy = new DeliveryPolicy(senders, meters, 64, Duration.ofSeconds(10));
            OperationsJournal journal = new OperationsJournal(
                    new Journals(dataSource), System.getenv().getOrDefault("HOSTNAME", "gateway"), clock);
            policy.onBreakerTransition(journal::breaker);
            policy.addressInUse(address -> settings.current()
                    .map(current -> current.address().equals(address))
                    .orElse(true));
            EventProcessor processor = new EventProcessor(
                    store,
                    new StatusPublisher(producer, topics.status(), clock),
                    new DeadLetters(producer, topics.deadLetter(), journal::deadLetter),
                    policy,
                    settings,
                    meters,
                    clock,
                    sendingAfter);
            KafkaConsumer<byte[], byte[]> kafkaConsumer = new KafkaConsumer<>(
                    Connections.consumer(config.kafka(), config.kafka().groupId()));
            // Kafka's own client metrics, among them the lag per partition (kafka_consumer_fetch_manager_records_lag).
            KafkaClientMetrics consumerMetrics = new KafkaClientMetrics(kafkaConsumer);
            consumerMetrics.bindTo(registry);
            resources.push(consumerMetrics);
            RequestConsumer consumer = new RequestConsumer(
                    kafkaConsumer,
                    topics.requests(),
                    processor,
                    meters,
                    RequestConsumer.Limits.DEFAULT,
                    partitions -> store.backoffs(topics.requests(), partitions),
                    clock);
            Thread poller = Thread.ofPlatform().name("plumber-intake").start(consumer);
            resources.push(() -> {
                consumer.close();
                poller.join(Duration.ofSeconds(40));
            });

            ConsoleAssembly console = ConsoleAssembly.start(
                    config,
                    dataSource,
                    cipher,
                    store,
                    accounts,
                    settings,
                    registry,
                    new KafkaConsumer<>(Connections.journalConsumer(config.kafka())),
                    clock);
            resources.push(console);

            http = new GatewayHttp(
                    config.http().port(),
                    store,
                    accounts,
                    // API tokens: an hour without use ends them, and a working day after the log-in at the latest.
                    new TokenSessions<>(Duration.ofHours(1), Duration.ofHours(8), clock),
                    registry,
                    () -> new Health().required("intake", intakeProblem(poller)),
                    () -> health(settings, dataSource, poller, policy, senders),
                    console::register);
            resources.push(http);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** Starts the gateway; the senders are closed with it. */
    public static Gateway start(
            GatewayConfig config, DlpSettingsSource settings, Map<DlpSystem, DlpSender> senders, PasswordHasher hasher)
            throws Exception {
        return start(config, settings, senders, hasher, EventProcessor.SENDING_AFTER);
    }

    /**
     * Starts the gateway with DLP calls shown as SENDING once they run longer than {@code sendingAfter}: tests that
     * count an instant call's status writes name a longer time, so a stalled machine cannot make it look slow.
     */
    public static Gateway start(
            GatewayConfig config,
            DlpSettingsSource settings,
            Map<DlpSystem, DlpSender> senders,
            PasswordHasher hasher,
            Duration sendingAfter)
            throws Exception {
        return new Gateway(config, settings, senders, hasher, sendingAfter);
    }

    public ConsoleAccounts consoleAccounts() {
        return accounts;
    }

    public int httpPort() {
        return http.port();
    }

    /**
     * Null while the poll thread runs. It stops only on an error it cannot ride out (it logs it), and nothing but a
     * restart starts it again: that is what liveness is for.
     */
    private static String intakeProblem(Thread poller) {
        return poller.isAlive() ? null : "the Kafka intake has stopped";
    }

    private static Health health(
            DlpSettingsSource settings,
            HikariDataSource dataSource,
            Thread poller,
            DeliveryPolicy policy,
            Map<DlpSystem, DlpSender> senders) {
        Health health = new Health();
        Optional<DlpSettings> current = settings.current();
        health.required("settings", current.isPresent() ? null : "no valid DLP settings: " + settings.problem());
        health.required("intake", intakeProblem(poller));
        String store;
        try (Connection c = dataSource.getConnection()) {
            store = c.isValid(2) ? null : "the status store does not answer";
        } catch (Exception e) {
            store = "the status store is unreachable: " + e.getMessage();
        }
        health.required("store", store);
        current.ifPresent(dlp -> {
            health.info(
                    "dlp",
                    dlp.system().key() + " " + dlp.address() + ", breaker " + policy.breakerState(dlp.address()));
            DlpSender sender = senders.get(dlp.system());
            if (sender != null) {
                sender.halted().ifPresent(why -> health.info("dlpHalted", why));
            }
        });
        return health;
    }

    @Override
    public void close() {
        resources.close();
    }
}

package dev.plumber.console;

import dev.plumber.api.ConsoleAccounts;
import dev.plumber.crypto.Sealer;
import dev.plumber.files.HttpFileSource;
import dev.plumber.lifecycle.ResourceStack;
import dev.plumber.settings.DlpSettingsSource;
import dev.plumber.settings.GatewayConfig;
import dev.plumber.status.ContentCipher;
import dev.plumber.status.StatusStore;
import io.javalin.Javalin;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console as the gateway runs it: the pages ({@link #register}), the intake of the core's journals, the settings
 * watch and the file downloads; {@link #close()} stops the background parts.
 */
public final class ConsoleAssembly implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsoleAssembly.class);

    private final ResourceStack resources = new ResourceStack();
    private final Console console;

    private ConsoleAssembly(
            GatewayConfig config,
            DataSource dataSource,
            ContentCipher cipher,
            StatusStore store,
            ConsoleAccounts accounts,
            DlpSettingsSource settings,
            MeterRegistry registry,
            Consumer<byte[], byte[]> journalConsumer,
            Clock clock) {
        Journals journals = new Journals(dataSource);
        JournalIntake intake = new JournalIntake(
                journalConsumer,
                config.kafka().topics().adminEvents(),
                config.kafka().topics().systemEvents(),
                journals);
        Thread intakeThread = Thread.ofPlatform().name("plumber-journals").start(intake);
        resources.push(() -> {
            intake.close();
            intakeThread.join(Duration.ofSeconds(10));
        });
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("plumber-settings-journal").daemon().factory());
        resources.push(watcher::shutdownNow);
        watcher.scheduleWithFixedDelay(
                new SettingsWatch(settings, journals::add, System.getenv().getOrDefault("HOSTNAME", "gateway"), clock),
                0,
                5,
                TimeUnit.SECONDS);
        HttpFileSource files = new HttpFileSource(
                config.files().url(), config.files().token(), config.files().timeout());
        resources.push(files);
        console = new Console(
                accounts,
                new RequestSearch(dataSource, cipher),
                store,
                journals,
                new ViewJournal(dataSource, clock),
                settings,
                files,
                config.console().secureCookies(),
                registry,
                clock);
    }

    /** Starts the background parts; {@code journalConsumer} reads the core's journals and is closed with it. */
    public static ConsoleAssembly start(
            GatewayConfig config,
            DataSource dataSource,
            ContentCipher cipher,
            StatusStore store,
            ConsoleAccounts accounts,
            DlpSettingsSource settings,
            MeterRegistry registry,
            Consumer<byte[], byte[]> journalConsumer,
            Clock clock) {
        return new ConsoleAssembly(
                config, dataSource, cipher, store, accounts, settings, registry, journalConsumer, clock);
    }

    /**
     * The keys sealing message texts: the configured file (and the previous ones, which still open), or (not
     * configured) a random key for this run.
     */
    public static ContentCipher contentCipher(GatewayConfig.Console console) {
        SecureRandom random = Sealer.random();
        if (console.contentKeyFile().isBlank()) {
            if (!console.previousContentKeyFiles().isEmpty()) {
                throw new IllegalStateException(
                        "console.previousContentKeyFiles is set but console.contentKeyFile is not: name the key that"
                                + " seals new texts");
            }
            log.warn("console.contentKeyFile is not set: message texts are sealed with a key for this run only and"
                    + " cannot be read after a restart");
            byte[] key = new byte[32];
            random.nextBytes(key);
            return new ContentCipher(key, random);
        }
        ContentCipher cipher = ContentCipher.fromKeyFiles(
                Path.of(console.contentKeyFile()),
                console.previousContentKeyFiles().stream().map(Path::of).toList(),
                random);
        log.info(
                "console: message texts sealed with key {}; {} key(s) open them",
                cipher.keyIds().getFirst(),
                cipher.keyIds().size());
        return cipher;
    }

    /** Adds the console's pages to the gateway's HTTP server. */
    public void register(Javalin app) {
        console.register(app);
    }

    @Override
    public void close() {
        resources.close();
    }
}

package dev.plumber.console;

import dev.plumber.auth.PasswordHasher;
import dev.plumber.delivery.DlpSender;
import dev.plumber.delivery.Verdict;
import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.event.DlpEvent;
import dev.plumber.event.EventCodec;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.gateway.Gateway;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSettingsSource;
import dev.plumber.settings.DlpSystem;
import dev.plumber.settings.GatewayConfig;
import dev.plumber.testkit.KafkaTopics;
import io.javalin.Javalin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A gateway with its console on a real Kafka broker and PostgreSQL, a DLP that blocks "secret" texts and files, and a
 * small file service; console accounts auditor@it.local and admin@it.local (password {@value #PASSWORD}).
 */
final class ConsoleFixture implements AutoCloseable {
    static final String PASSWORD = "correct horse battery";

    final EmbeddedKafka kafka;
    final EmbeddedPostgres postgres;
    final String dbUrl;
    final Gateway gateway;
    final Javalin fileService;
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final Path keyFile;

    /** Blocks messages whose text contains "secret" and files whose name does. */
    static final class ScriptedDlp implements DlpSender {
        @Override
        public Verdict send(DlpEvent event, DlpSettings settings) {
            String subject =
                    switch (event) {
                        case MessageEvent m -> m.text();
                        case FileEvent f -> f.name();
                    };
            return subject.contains("secret")
                    ? Verdict.blocked("403 Forbidden; X-Block-Reason: secret content", "IST-7")
                    : Verdict.allowed("IST-7");
        }
    }

    ConsoleFixture() throws Exception {
        kafka = EmbeddedKafka.start();
        postgres = EmbeddedPostgres.start();
        dbUrl = postgres.createDatabase("plumber");
        KafkaTopics.create(
                kafka.bootstrapServers(),
                Map.of(
                        "dlp.requests", 1,
                        "dlp.status", 1,
                        "dlp.requests.dlq", 1,
                        "admin-events", 1,
                        "system-events", 1));
        fileService = Javalin.create(c -> c.showJavalinBanner = false)
                .get("/get/{hash}", ctx -> {
                    byte[] bytes = files.get(ctx.pathParam("hash"));
                    if (bytes == null) {
                        ctx.status(404);
                    } else {
                        ctx.result(bytes);
                    }
                })
                .start(0);
        keyFile = Files.createTempDirectory("plumber-console-it").resolve("content.key");
        GatewayConfig config = new GatewayConfig(
                null,
                null,
                new GatewayConfig.Files("http://127.0.0.1:" + fileService.port(), null, "service-token"),
                new GatewayConfig.Kafka(kafka.bootstrapServers(), "plumber-console-it", null),
                new GatewayConfig.Store(dbUrl, postgres.user(), ""),
                new GatewayConfig.Http(0),
                new GatewayConfig.Console(
                        new GatewayConfig.Account("admin@it.local", PASSWORD), keyFile.toString(), false));
        DlpSettings settings = DlpSettings.fromMap(Map.of("system", "icap", "address", "icap://127.0.0.1:1/request"));
        gateway = Gateway.start(
                config,
                DlpSettingsSource.fixed(settings),
                Map.of(DlpSystem.ICAP, new ScriptedDlp()),
                new PasswordHasher(1_000),
                Duration.ofSeconds(1)); // the console test checks that an instant call shows no SENDING
        gateway.consoleAccounts().create("auditor@it.local", PASSWORD, dev.plumber.api.ConsoleAccounts.Role.AUDITOR);
    }

    String base() {
        return "http://127.0.0.1:" + gateway.httpPort();
    }

    Connection db() throws SQLException {
        return DriverManager.getConnection(dbUrl, postgres.user(), "");
    }

    static MessageEvent message(String sender, String chat, String text, String hash) {
        return new MessageEvent(
                UUID.randomUUID(),
                System.nanoTime(),
                sender,
                chat,
                "group",
                text,
                hash,
                "{}",
                "10.0.0.5",
                Instant.now(),
                false);
    }

    static FileEvent file(String sender, String hash, String name, long size) {
        return new FileEvent(UUID.randomUUID(), hash, name, size, "application/pdf", sender, "10.0.0.5", Instant.now());
    }

    void send(DlpEvent event) throws Exception {
        KafkaTopics.produce(
                kafka.bootstrapServers(),
                "dlp.requests",
                event.key().getBytes(StandardCharsets.UTF_8),
                EventCodec.encode(event));
    }

    void journal(String topic, String json) throws Exception {
        KafkaTopics.produce(
                kafka.bootstrapServers(),
                topic,
                "k".getBytes(StandardCharsets.UTF_8),
                json.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (fileService != null) {
            fileService.stop();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }
}

package dev.plumber.infowatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plumber.auth.PasswordHasher;
import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.event.DlpEvent;
import dev.plumber.event.EventCodec;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.gateway.Gateway;
import dev.plumber.mock.infowatch.InfowatchMockServer;
import dev.plumber.mock.infowatch.MockCertificate;
import dev.plumber.mock.infowatch.RecordedEvent;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSettingsSource;
import dev.plumber.settings.DlpSystem;
import dev.plumber.settings.GatewayConfig;
import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.GatewayApi;
import dev.plumber.testkit.GeneratedFileSource;
import dev.plumber.testkit.KafkaTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Kafka → gateway → InfoWatch push API, on a real broker and PostgreSQL, against the recording push-API mock. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class InfowatchDeliveryIT {
    private static final long MIB = 1024 * 1024;

    @TempDir
    static Path dir;

    private static EmbeddedKafka kafka;
    private static EmbeddedPostgres postgres;
    private static InfowatchMockServer mock;
    private static Gateway gateway;
    private static InfowatchSender sender;
    private static final GeneratedFileSource files = new GeneratedFileSource();
    private static final AtomicReference<DlpSettings> settings = new AtomicReference<>();
    private static GatewayApi api;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        postgres = EmbeddedPostgres.start();
        String url = postgres.createDatabase("plumber");
        KafkaTopics.create(kafka.bootstrapServers(), Map.of("dlp.requests", 3, "dlp.status", 1, "dlp.requests.dlq", 1));
        mock = InfowatchMockServer.start(0, MockCertificate.generate(dir), "Acme", "secret");
        settings.set(settings("secret"));
        GatewayConfig config = new GatewayConfig(
                null,
                null,
                null,
                new GatewayConfig.Kafka(kafka.bootstrapServers(), "plumber-iw-it", null),
                new GatewayConfig.Store(url, postgres.user(), ""),
                new GatewayConfig.Http(0),
                new GatewayConfig.Console(new GatewayConfig.Account("admin@it.local", "pw")));
        sender = new InfowatchSender(
                files,
                Duration.ofSeconds(5),
                PluginManifest.bundled(),
                Capture.thisHost(),
                Clock.systemUTC(),
                Duration.ofSeconds(1),
                Duration.ofSeconds(2));
        DlpSettingsSource source = new DlpSettingsSource() {
            @Override
            public Optional<DlpSettings> current() {
                return Optional.of(settings.get());
            }

            @Override
            public String problem() {
                return null;
            }
        };
        gateway = Gateway.start(config, source, Map.of(DlpSystem.INFOWATCH, sender), new PasswordHasher(1_000));
        api = GatewayApi.asAdmin(gateway.httpPort());
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (mock != null) {
            mock.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aMessageIsAcceptedWithItsTrafficMonitorIdAsReference() throws Exception {
        MessageEvent hello = message("hello Traffic Monitor", null);
        send(hello);

        JsonNode row = api.awaitStatus(hello.id(), "ACCEPTED");

        RecordedEvent recorded = recorded(e -> "hello Traffic Monitor".equals(e.text()));
        assertThat(row.get("dlpReference").asText()).isEqualTo(recorded.tmId());
        assertThat(recorded.isChat()).isTrue();
        assertThat(recorded.event().getEvt_service()).isEqualTo("im_VKteams");
    }

    @Test
    void aLargeFileIsStreamedWholeWithoutBeingHeld() throws Exception {
        files.put("big-file", 50 * MIB);
        FileEvent big = file("big-file", 50 * MIB);
        send(big);

        api.awaitStatus(big.id(), "ACCEPTED");

        RecordedEvent recorded = recorded(e -> "big-file".equals(e.attribute("VKteams_file_hash_header")));
        assertThat(recorded.isFileExchange()).isTrue();
        assertThat(recorded.dataAttribute("data_size")).isEqualTo(Long.toString(50 * MIB));
        assertThat(recorded.streams().get(PushApiEvents.FILE_DATA_ID))
                .isEqualTo(new RecordedEvent.Streamed(50 * MIB, files.sha256("big-file")));
    }

    @Test
    void aMessageAndItsFileAreLinkedByTheHashHeaderOnBothEvents() throws Exception {
        files.put("linked-hash", 1000);
        MessageEvent withFile = message("see the attachment", "linked-hash");
        FileEvent attachment = file("linked-hash", 1000);
        send(withFile);
        send(attachment);

        api.awaitStatus(withFile.id(), "ACCEPTED");
        api.awaitStatus(attachment.id(), "ACCEPTED");

        List<RecordedEvent> linked = mock.events().stream()
                .filter(e -> "linked-hash".equals(e.attribute("VKteams_file_hash_header")))
                .toList();
        assertThat(linked).extracting(RecordedEvent::isChat).containsExactlyInAnyOrder(true, false);
    }

    @Test
    void refusedCredentialsHaltSendingAndNothingIsLost() throws Exception {
        settings.set(settings("stale-token"));
        List<MessageEvent> events = List.of(message("halted 1", null), message("halted 2", null));
        try {
            for (MessageEvent event : events) {
                send(event);
            }
            for (MessageEvent event : events) {
                // The last error is the refusal, or the delivery policy's open circuit once refusals pile up.
                JsonNode row = api.awaitStatus(event.id(), "RETRYING");
                assertThat(row.get("lastError").asText()).containsAnyOf("refused the credentials", "circuit open");
            }
            // With the breaker already open (an earlier test's failures), the sender meets the stale token only
            // at the breaker's next probe.
            Eventually.within(Duration.ofSeconds(30), () -> {
                assertThat(sender.halted())
                        .hasValueSatisfying(reason -> assertThat(reason).contains("credentials"));
                return null;
            });
        } finally {
            settings.set(settings("secret"));
        }

        for (MessageEvent event : events) {
            api.awaitStatus(event.id(), "ACCEPTED");
        }
        assertThat(sender.halted()).isEmpty();
    }

    @Test
    void aLicenceErrorHaltsSendingUntilTheLicenceIsBack() throws Exception {
        mock.licenceError("licence expired");
        MessageEvent event = message("under an expired licence", null);
        try {
            send(event);
            JsonNode row = api.awaitStatus(event.id(), "RETRYING");
            assertThat(row.get("lastError").asText()).containsAnyOf("licence expired", "circuit open");
            // With the breaker open from an earlier test, the sender meets the licence error at the next probe.
            Eventually.within(Duration.ofSeconds(30), () -> {
                assertThat(sender.halted()).isPresent();
                return null;
            });
        } finally {
            mock.licenceError(null);
        }

        api.awaitStatus(event.id(), "ACCEPTED");
        assertThat(mock.events())
                .filteredOn(e -> "under an expired licence".equals(e.text()))
                .hasSize(1);
    }

    @Test
    void aConnectionDroppedMidStreamAbortsTheEventAndItIsSentAgainWhole() throws Exception {
        files.put("dropped-file", 20 * MIB);
        int droppedBefore = mock.droppedEvents();
        int begunBefore = mock.begunEvents();
        mock.dropConnectionAfter(5 * MIB);
        FileEvent event = file("dropped-file", 20 * MIB);
        send(event);

        api.awaitStatus(event.id(), "ACCEPTED");

        List<RecordedEvent> delivered = mock.events().stream()
                .filter(e -> "dropped-file".equals(e.attribute("VKteams_file_hash_header")))
                .toList();
        assertThat(delivered).singleElement().satisfies(e -> assertThat(
                        e.streams().get(PushApiEvents.FILE_DATA_ID).bytes())
                .isEqualTo(20 * MIB));
        assertThat(mock.droppedEvents() - droppedBefore)
                .as("half-delivered events discarded")
                .isEqualTo(1);
        assertThat(mock.begunEvents() - begunBefore)
                .as("sent twice: dropped once, then whole")
                .isEqualTo(2);
    }

    private static RecordedEvent recorded(java.util.function.Predicate<RecordedEvent> which) throws Exception {
        return Eventually.within(Duration.ofSeconds(10), () -> {
            Optional<RecordedEvent> found = mock.events().stream().filter(which).findFirst();
            assertThat(found).isPresent();
            return found.get();
        });
    }

    private static DlpSettings settings(String tmToken) {
        Map<String, String> values = new HashMap<>();
        values.put("system", "infowatch");
        values.put("address", "localhost:" + mock.port());
        values.put("company", "Acme");
        values.put("token", tmToken);
        values.put("imservice", "im_VKteams");
        values.put("caFile", mock.caFile().toString());
        try {
            return DlpSettings.fromMap(values);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageEvent message(String text, String hash) {
        return new MessageEvent(
                UUID.randomUUID(),
                System.nanoTime(),
                "alice@it.local",
                "chat-" + UUID.randomUUID(),
                "group",
                text,
                hash,
                "{}",
                "10.0.0.5",
                Instant.now(),
                false);
    }

    private static FileEvent file(String hash, long size) {
        return new FileEvent(
                UUID.randomUUID(),
                hash,
                hash + ".bin",
                size,
                "application/octet-stream",
                "alice@it.local",
                "10.0.0.5",
                Instant.now());
    }

    private static void send(DlpEvent event) throws Exception {
        KafkaTopics.produce(
                kafka.bootstrapServers(),
                "dlp.requests",
                event.key().getBytes(StandardCharsets.UTF_8),
                EventCodec.encode(event));
    }
}

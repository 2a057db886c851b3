package dev.plumber.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plumber.auth.PasswordHasher;
import dev.plumber.delivery.DlpSender;
import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.event.DlpEvent;
import dev.plumber.event.EventCodec;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.metrics.Meters;
import dev.plumber.mock.icap.IcapMockServer;
import dev.plumber.mock.icap.MockRules;
import dev.plumber.searchinform.SearchInformSender;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSystem;
import dev.plumber.settings.EtcdDlpSettingsSource;
import dev.plumber.settings.GatewayConfig;
import dev.plumber.testkit.EtcdServer;
import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.GatewayApi;
import dev.plumber.testkit.GeneratedFileSource;
import dev.plumber.testkit.KafkaTopics;
import dev.plumber.testkit.PrometheusText;
import dev.plumber.transport.IcapClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Events the DLP settings say not to send (a file over {@code maxFileSize}, anything while {@code mode=off}) end as
 * SKIPPED with the reason, in the row, on the status topic and in the metrics, and never reach the DLP; the keys
 * change in etcd while the gateway runs.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SkippedBySettingsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DLP = "/vars/services/plumber/it/public/service/DLP/";

    @Test
    void filesOverTheLimitAndEverythingWhileSwitchedOffAreSkippedAndNotSent() throws Exception {
        try (EtcdServer etcd = EtcdServer.launch();
                EmbeddedKafka kafka = EmbeddedKafka.start();
                EmbeddedPostgres postgres = EmbeddedPostgres.start();
                IcapMockServer icap = IcapMockServer.start(0, MockRules.demo())) {
            etcd.put(DLP + "system", "icap");
            etcd.put(DLP + "address", "icap://127.0.0.1:" + icap.port() + "/request");
            etcd.put(DLP + "maxFileSize", "1KiB");
            KafkaTopics.create(
                    kafka.bootstrapServers(), Map.of("dlp.requests", 1, "dlp.status", 1, "dlp.requests.dlq", 1));
            GatewayConfig.Etcd etcdConfig =
                    new GatewayConfig.Etcd(List.of(etcd.endpoint()), List.of("it"), Duration.ofSeconds(5), null, null);
            GatewayConfig config = new GatewayConfig(
                    etcdConfig,
                    null,
                    null,
                    new GatewayConfig.Kafka(kafka.bootstrapServers(), "plumber-skipped-it", null),
                    new GatewayConfig.Store(postgres.createDatabase("plumber"), postgres.user(), ""),
                    new GatewayConfig.Http(0),
                    new GatewayConfig.Console(new GatewayConfig.Account("admin@it.local", "pw")));
            GeneratedFileSource files =
                    new GeneratedFileSource().put("small", 1024).put("big", 1025);
            Map<DlpSystem, DlpSender> senders =
                    Map.of(DlpSystem.ICAP, new SearchInformSender(new IcapClient(), files, Duration.ofSeconds(5)));
            EtcdDlpSettingsSource source = EtcdDlpSettingsSource.start(etcdConfig);
            try (Gateway gateway = Gateway.start(config, source, senders, new PasswordHasher(1_000))) {
                GatewayApi api = GatewayApi.asAdmin(gateway.httpPort());
                // An event taken up before the first read of etcd would wait in RETRYING for the settings.
                awaitMode(source, DlpSettings.Mode.ON);

                FileEvent big = file("big", 1025);
                FileEvent small = file("small", 1024);
                send(kafka, big);
                send(kafka, small);

                JsonNode bigRow = api.awaitStatus(big.id(), "SKIPPED");
                assertThat(bigRow.path("reason").asText())
                        .isEqualTo("file of 1025 bytes is over the size limit of 1024 bytes (DLP/maxFileSize)");
                api.awaitStatus(small.id(), "ALLOWED");
                assertThat(icap.takeRequest(Duration.ofSeconds(5)).bodyText()).contains("small");
                assertThat(files.opened())
                        .as("the big file is never downloaded")
                        .isEqualTo(1);

                etcd.put(DLP + "mode", "off");
                awaitMode(source, DlpSettings.Mode.OFF);
                MessageEvent whileOff = message("while the DLP is off");
                FileEvent smallWhileOff = file("small", 1024);
                send(kafka, whileOff);
                send(kafka, smallWhileOff);

                for (DlpEvent skipped : List.of(whileOff, smallWhileOff)) {
                    JsonNode row = api.awaitStatus(skipped.id(), "SKIPPED");
                    assertThat(row.path("reason").asText()).isEqualTo("DLP switched off (DLP/mode=off)");
                }
                assertThat(statuses(kafka, whileOff.id())).containsExactly("SKIPPED");
                assertThat(statuses(kafka, big.id())).containsExactly("SKIPPED");
                assertThat(PrometheusText.sum(
                                PrometheusText.samples(api.metrics(), Meters.EVENTS), "status=\"SKIPPED\""))
                        .isEqualTo(3);

                etcd.put(DLP + "mode", "on");
                awaitMode(source, DlpSettings.Mode.ON);
                MessageEvent afterOn = message("after the DLP is on again");
                send(kafka, afterOn);
                api.awaitStatus(afterOn.id(), "ALLOWED");
                // The only request the DLP saw since the small file is the one sent after switching it on.
                assertThat(icap.takeRequest(Duration.ofSeconds(5)).bodyText()).contains("after the DLP is on again");
                assertThat(icap.takeRequest(Duration.ofMillis(500))).isNull();
                assertThat(files.opened()).isEqualTo(1);
            }
        }
    }

    private static void awaitMode(EtcdDlpSettingsSource source, DlpSettings.Mode mode) throws Exception {
        Eventually.within(Duration.ofSeconds(30), () -> {
            assertThat(source.current())
                    .hasValueSatisfying(s -> assertThat(s.mode()).isEqualTo(mode));
            return null;
        });
    }

    /** The statuses published to {@code dlp.status} for one event, in order. */
    private static List<String> statuses(EmbeddedKafka kafka, UUID id) throws Exception {
        return Eventually.within(Duration.ofSeconds(30), () -> {
            List<String> found = new ArrayList<>();
            for (var r : KafkaTopics.read(kafka.bootstrapServers(), "dlp.status", 1_000, Duration.ofSeconds(2))) {
                JsonNode published = JSON.readTree(r.value());
                if (published.path("id").asText().equals(id.toString())) {
                    found.add(published.path("status").asText());
                }
            }
            assertThat(found).isNotEmpty();
            return found;
        });
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

    private static MessageEvent message(String text) {
        return new MessageEvent(
                UUID.randomUUID(),
                System.nanoTime(),
                "alice@it.local",
                "chat-skipped",
                "group",
                text,
                null,
                "{}",
                "10.0.0.5",
                Instant.now(),
                false);
    }

    private static void send(EmbeddedKafka kafka, DlpEvent event) throws Exception {
        KafkaTopics.produce(
                kafka.bootstrapServers(),
                "dlp.requests",
                event.key().getBytes(StandardCharsets.UTF_8),
                EventCodec.encode(event));
    }
}

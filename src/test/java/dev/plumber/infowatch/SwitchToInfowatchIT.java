package dev.plumber.infowatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plumber.auth.PasswordHasher;
import dev.plumber.delivery.DlpSender;
import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.event.EventCodec;
import dev.plumber.event.MessageEvent;
import dev.plumber.gateway.Gateway;
import dev.plumber.mock.icap.IcapMockServer;
import dev.plumber.mock.icap.MockRules;
import dev.plumber.mock.infowatch.InfowatchMockServer;
import dev.plumber.mock.infowatch.MockCertificate;
import dev.plumber.mock.infowatch.RecordedEvent;
import dev.plumber.searchinform.SearchInformSender;
import dev.plumber.settings.DlpSystem;
import dev.plumber.settings.EtcdDlpSettingsSource;
import dev.plumber.settings.GatewayConfig;
import dev.plumber.testkit.EtcdServer;
import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.GatewayApi;
import dev.plumber.testkit.GeneratedFileSource;
import dev.plumber.testkit.KafkaTopics;
import dev.plumber.transport.IcapClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A running gateway moves from ICAP to InfoWatch when the DLP keys in etcd change, without a restart. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SwitchToInfowatchIT {
    private static final String DLP = "/vars/services/plumber/it/public/service/DLP/";

    @TempDir
    Path dir;

    @Test
    void switchingTheSystemKeyInEtcdSendsTheNextEventsToTrafficMonitor() throws Exception {
        try (EtcdServer etcd = EtcdServer.launch();
                EmbeddedKafka kafka = EmbeddedKafka.start();
                EmbeddedPostgres postgres = EmbeddedPostgres.start();
                IcapMockServer icap = IcapMockServer.start(0, MockRules.demo());
                InfowatchMockServer infowatch =
                        InfowatchMockServer.start(0, MockCertificate.generate(dir), "Acme", "secret")) {
            etcd.put(DLP + "system", "icap");
            etcd.put(DLP + "address", "icap:\\/\\/127.0.0.1:" + icap.port() + "/request");
            KafkaTopics.create(
                    kafka.bootstrapServers(), Map.of("dlp.requests", 1, "dlp.status", 1, "dlp.requests.dlq", 1));
            GatewayConfig.Etcd etcdConfig =
                    new GatewayConfig.Etcd(List.of(etcd.endpoint()), List.of("it"), Duration.ofSeconds(5), null, null);
            GatewayConfig config = new GatewayConfig(
                    etcdConfig,
                    null,
                    null,
                    new GatewayConfig.Kafka(kafka.bootstrapServers(), "plumber-switch-it", null),
                    new GatewayConfig.Store(postgres.createDatabase("plumber"), postgres.user(), ""),
                    new GatewayConfig.Http(0),
                    new GatewayConfig.Console(new GatewayConfig.Account("admin@it.local", "pw")));
            GeneratedFileSource files = new GeneratedFileSource();
            Map<DlpSystem, DlpSender> senders = Map.of(
                    DlpSystem.ICAP,
                    new SearchInformSender(new IcapClient(), files, Duration.ofSeconds(5)),
                    DlpSystem.INFOWATCH,
                    new InfowatchSender(
                            files,
                            Duration.ofSeconds(5),
                            PluginManifest.bundled(),
                            Capture.thisHost(),
                            Clock.systemUTC(),
                            Duration.ofSeconds(1),
                            Duration.ofSeconds(2)));
            EtcdDlpSettingsSource source = EtcdDlpSettingsSource.start(etcdConfig);
            try (Gateway gateway = Gateway.start(config, source, senders, new PasswordHasher(1_000))) {
                GatewayApi api = GatewayApi.asAdmin(gateway.httpPort());

                MessageEvent before = message("before the switch");
                send(kafka, before);
                JsonNode allowed = api.awaitStatus(before.id(), "ALLOWED");
                assertThat(allowed.path("dlpSystem").asText()).isEqualTo("icap");
                assertThat(icap.takeRequest(Duration.ofSeconds(5)).bodyText()).contains("before the switch");

                // The operator's order: InfoWatch keys first (ignored by ICAP), then the address (rejected while
                // the system is still icap, so ICAP stays in force), then the system.
                etcd.put(DLP + "company", "Acme");
                etcd.put(DLP + "token", "secret");
                etcd.put(DLP + "imservice", "im_VKteams");
                etcd.put(DLP + "caFile", infowatch.caFile().toString());
                etcd.put(DLP + "address", "localhost:" + infowatch.port());
                etcd.put(DLP + "system", "infowatch");
                Eventually.within(Duration.ofSeconds(30), () -> {
                    assertThat(source.current())
                            .hasValueSatisfying(s -> assertThat(s.system()).isEqualTo(DlpSystem.INFOWATCH));
                    return null;
                });

                MessageEvent after = message("after the switch");
                send(kafka, after);
                JsonNode accepted = api.awaitStatus(after.id(), "ACCEPTED");

                RecordedEvent recorded = infowatch.takeEvent(Duration.ofSeconds(10));
                assertThat(recorded.text()).isEqualTo("after the switch");
                assertThat(accepted.get("dlpReference").asText()).isEqualTo(recorded.tmId());
            }
        }
    }

    private static MessageEvent message(String text) {
        return new MessageEvent(
                UUID.randomUUID(),
                System.nanoTime(),
                "alice@it.local",
                "chat-switch",
                "group",
                text,
                null,
                "{}",
                "10.0.0.5",
                Instant.now(),
                false);
    }

    private static void send(EmbeddedKafka kafka, MessageEvent event) throws Exception {
        KafkaTopics.produce(
                kafka.bootstrapServers(),
                "dlp.requests",
                event.key().getBytes(StandardCharsets.UTF_8),
                EventCodec.encode(event));
    }
}

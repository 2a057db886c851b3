package dev.plumber;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plumber.auth.PasswordHasher;
import dev.plumber.core.CoreConfig;
import dev.plumber.core.CoreServer;
import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.gateway.Gateway;
import dev.plumber.gateway.Senders;
import dev.plumber.settings.FileDlpSettingsSource;
import dev.plumber.settings.GatewayConfig;
import dev.plumber.testkit.CIcapServer;
import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.JsonHttp;
import dev.plumber.testkit.KafkaTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path on real parts: the messenger core's REST API → a real Kafka broker → the gateway → a real c-icap
 * whose content filter blocks card numbers → statuses in a real PostgreSQL, read back from the gateway's API.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EndToEndIT {
    @TempDir
    static Path dir;

    private static EmbeddedPostgres postgres;
    private static EmbeddedKafka kafka;
    private static CIcapServer cIcap;
    private static CoreServer core;
    private static Gateway gateway;
    private static JsonHttp alice;
    private static JsonHttp auditor;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start();
        kafka = EmbeddedKafka.start();
        cIcap = CIcapServer.start();
        KafkaTopics.create(kafka.bootstrapServers(), Map.of("dlp.requests", 3, "dlp.status", 1, "dlp.requests.dlq", 1));
        core = CoreServer.start(CoreConfig.builder()
                .port(0)
                .bootstrapServers(kafka.bootstrapServers())
                .store(postgres.createDatabase("core"), postgres.user(), "")
                .keyFile(dir.resolve("core.key"))
                .filesDir(dir.resolve("files"))
                .serviceToken("gateway-service-token-0123456789")
                .messages(true, true)
                .files(true, true)
                .passwordIterations(1_000)
                .account("alice@e2e.local", "pw", "user")
                .account("bob@e2e.local", "pw", "user")
                .build());
        Path settings = dir.resolve("dlp.settings");
        Files.writeString(settings, "system=icap\naddress=" + cIcap.dlpServiceUri() + "\n");
        GatewayConfig config = new GatewayConfig(
                null,
                null,
                new GatewayConfig.Files("http://127.0.0.1:" + core.port(), null, "gateway-service-token-0123456789"),
                new GatewayConfig.Kafka(kafka.bootstrapServers(), "plumber-e2e", null),
                new GatewayConfig.Store(postgres.createDatabase("gateway"), postgres.user(), ""),
                new GatewayConfig.Http(0),
                new GatewayConfig.Console(new GatewayConfig.Account("auditor@e2e.local", "pw")));
        gateway = Gateway.start(
                config, FileDlpSettingsSource.read(settings), Senders.create(config), new PasswordHasher(1_000));
        alice = new JsonHttp("http://127.0.0.1:" + core.port()).login("alice@e2e.local", "pw");
        auditor = new JsonHttp("http://127.0.0.1:" + gateway.httpPort()).login("auditor@e2e.local", "pw");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable part : new AutoCloseable[] {gateway, core, cIcap, kafka, postgres}) {
            if (part != null) {
                part.close();
            }
        }
    }

    @Test
    void aCardNumberIsBlockedAndAnOrdinaryMessageAllowed() throws Exception {
        String chat = alice.post("/api/v1/chats", "{\"type\":\"personal\",\"members\":[\"bob@e2e.local\"]}")
                .get("id")
                .asText();

        long ordinary = alice.post("/api/v1/chats/" + chat + "/messages", "{\"text\":\"Lunch at noon?\"}")
                .get("mid")
                .asLong();
        long card = alice.post("/api/v1/chats/" + chat + "/messages", "{\"text\":\"card 4111 1111 1111 1111\"}")
                .get("mid")
                .asLong();

        JsonNode allowed = awaitByMid(ordinary, "ALLOWED");
        JsonNode blocked = awaitByMid(card, "BLOCKED");
        assertThat(allowed.get("sender").asText()).isEqualTo("alice@e2e.local");
        assertThat(allowed.get("chat").asText()).isEqualTo(chat);
        assertThat(allowed.get("dlpSystem").asText()).isEqualTo("icap");
        assertThat(blocked.get("reason").asText()).contains("403");
        assertThat(blocked.get("dlpReference").asText()).isNotBlank();
    }

    @Test
    void aFileIsStreamedFromTheCoreToTheDlpAndLinkedToItsMessage() throws Exception {
        String chat = alice.post(
                        "/api/v1/chats", "{\"type\":\"group\",\"members\":[\"bob@e2e.local\"],\"title\":\"t\"}")
                .get("id")
                .asText();
        byte[] content =
                "payroll export\ncard 4111-1111-1111-1111\n".repeat(200).getBytes(StandardCharsets.UTF_8);
        String hash = alice.upload("/api/v1/files", "payroll.txt", content)
                .get("hash")
                .asText();
        long mid = alice.post(
                        "/api/v1/chats/" + chat + "/messages", "{\"text\":\"see the file\",\"hash\":\"" + hash + "\"}")
                .get("mid")
                .asLong();

        JsonNode file = Eventually.within(Duration.ofSeconds(60), () -> {
            JsonNode page = auditor.get("/api/v1/requests?type=file&hash=" + hash);
            assertThat(page.get("total").asLong()).isEqualTo(1);
            JsonNode row = page.get("items").get(0);
            assertThat(row.get("status").asText()).isEqualTo("BLOCKED");
            return row;
        });
        assertThat(file.get("fileName").asText()).isEqualTo("payroll.txt");
        JsonNode message = awaitByMid(mid, "ALLOWED");
        assertThat(message.get("hash").asText()).isEqualTo(hash);
        assertThat(auditor.get("/api/v1/requests?hash=" + hash).get("total").asLong())
                .isEqualTo(2);
        JsonNode linked =
                auditor.get("/api/v1/requests/" + message.get("id").asText()).get("linked");
        assertThat(linked).hasSize(1);
        assertThat(linked.get(0).get("id").asText()).isEqualTo(file.get("id").asText());
        assertThat(linked.get(0).get("type").asText()).isEqualTo("file");
        assertThat(linked.get(0).get("status").asText()).isEqualTo("BLOCKED");
    }

    private static JsonNode awaitByMid(long mid, String status) throws Exception {
        return Eventually.within(Duration.ofSeconds(60), () -> {
            JsonNode page = auditor.get("/api/v1/requests?mid=" + mid);
            assertThat(page.get("total").asLong()).isEqualTo(1);
            JsonNode row = page.get("items").get(0);
            assertThat(row.get("status").asText()).isEqualTo(status);
            return row;
        });
    }
}

package dev.plumber.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.gateway.Connections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {
    @TempDir
    Path dir;

    @Test
    void readsTheReferenceFileInConfig() throws Exception {
        GatewayConfig config = GatewayConfig.load(Path.of("config/plumber.yml"), Map.of());

        assertThat(config.etcd().endpoints()).containsExactly("http://etcd:2379");
        assertThat(config.etcd().prefixes()).containsExactly("development");
        assertThat(config.dlpClient().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.kafka().topics().deadLetter()).isEqualTo("dlp.requests.dlq");
        assertThat(config.kafka().topics().adminEvents()).isEqualTo("admin-events");
        assertThat(config.kafka().topics().systemEvents()).isEqualTo("system-events");
        assertThat(config.kafka().fetchWait()).isEqualTo(Duration.ofMillis(10));
        assertThat(config.http().port()).isEqualTo(8081);
    }

    @Test
    void environmentOverridesFileValues() throws Exception {
        GatewayConfig config = GatewayConfig.load(
                write("kafka:\n  bootstrapServers: a:9092\n"),
                Map.of(
                        "PLUMBER_KAFKA_BOOTSTRAPSERVERS", "b:9092",
                        "PLUMBER_ETCD_ENDPOINTS", "http://e1:2379, http://e2:2379",
                        "PLUMBER_STORE_PASSWORD", "pw",
                        "PLUMBER_DLPCLIENT_TIMEOUT", "500ms",
                        "PLUMBER_DLPCLIENT_ICAPCONNECTIONS", "40",
                        "PLUMBER_KAFKA_FETCHWAIT", "100ms",
                        "PLUMBER_HTTP_PORT", "9000"));

        assertThat(config.kafka().bootstrapServers()).isEqualTo("b:9092");
        assertThat(config.etcd().endpoints()).isEqualTo(List.of("http://e1:2379", "http://e2:2379"));
        assertThat(config.store().password()).isEqualTo("pw");
        assertThat(config.dlpClient().timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.dlpClient().icapConnections()).isEqualTo(40);
        assertThat(config.kafka().fetchWait()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.http().port()).isEqualTo(9000);
    }

    @Test
    void rejectsUnknownKeysWithFileAndKey() throws Exception {
        Path file = write("kafka:\n  bootstrapServer: a:9092\n");

        assertThatThrownBy(() -> GatewayConfig.load(file, Map.of()))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("kafka.bootstrapServer");
    }

    @Test
    void rejectsWrongTypesAndBadDurations() throws Exception {
        assertThatThrownBy(() -> GatewayConfig.load(write("http:\n  port: lots\n"), Map.of()))
                .hasMessageContaining("http.port");
        assertThatThrownBy(() -> GatewayConfig.load(write("etcd:\n  timeout: 5 parsecs\n"), Map.of()))
                .hasMessageContaining("etcd.timeout")
                .hasMessageContaining("not a duration");
        assertThatThrownBy(() -> GatewayConfig.load(write("dlpClient:\n  icapConnections: 0\n"), Map.of()))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("dlpClient.icapConnections must be from 1 to 1024, not 0");
        assertThatThrownBy(() -> GatewayConfig.load(write("kafka:\n  fetchWait: 0ms\n"), Map.of()))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("kafka.fetchWait must be from 1ms to 5s, not 0ms");
        assertThatThrownBy(() -> GatewayConfig.load(write("kafka:\n  fetchWait: 1m\n"), Map.of()))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("kafka.fetchWait must be from 1ms to 5s, not 60000ms");
        for (String url : List.of("files-c.example.com", "127.0.0.1:8080", "ftp://files.example", "http://", "")) {
            assertThatThrownBy(() -> GatewayConfig.load(write("files:\n  url: \"" + url + "\"\n"), Map.of()))
                    .isInstanceOf(InvalidSettingsException.class)
                    .hasMessageContaining("files.url must be an http:// or https:// URL such as http://files.example, "
                            + "not '" + url + "'");
        }
    }

    @Test
    void takesFileServiceUrlsWithPortsPathsAndEitherScheme() throws Exception {
        for (String url : List.of("http://files-c.example.com", "HTTPS://10.0.0.1:8443/files/", "http://[::1]:8080")) {
            assertThat(GatewayConfig.load(write("files:\n  url: \"" + url + "\"\n"), Map.of())
                            .files()
                            .url())
                    .isEqualTo(url);
        }
    }

    @Test
    void defaultsApplyToAnEmptyFile() throws Exception {
        GatewayConfig config = GatewayConfig.load(write(""), Map.of());

        assertThat(config.etcd().enabled()).isFalse();
        assertThat(config.kafka().groupId()).isEqualTo("plumber");
        assertThat(config.files().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.dlpClient().icapConnections()).isEqualTo(16);
        assertThat(config.kafka().fetchWait()).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void theGatewaysConsumerWaitsForEventsAsLongAsFetchWaitSays() throws Exception {
        GatewayConfig config = GatewayConfig.load(write("kafka:\n  fetchWait: 250ms\n"), Map.of());

        assertThat(Connections.consumer(config.kafka(), "plumber"))
                .containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "250")
                .containsEntry(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "4096");
        // The console's journals are a trickle whatever the requests' wait is.
        assertThat(Connections.journalConsumer(config.kafka()))
                .containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "500");
    }

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("plumber.yml");
        Files.writeString(file, yaml);
        return file;
    }
}

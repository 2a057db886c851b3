package dev.plumber.core;

import static dev.plumber.core.CoreHarness.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plumber.core.CoreHarness.Api;
import dev.plumber.core.CoreHarness.Setup;
import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.KafkaBrokerProcess;
import dev.plumber.testkit.PostgresAndKafka;
import dev.plumber.testkit.PrometheusText;
import dev.plumber.testkit.RestartablePostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core's {@code /metrics} follow its outbox through a Kafka outage and an event Kafka refuses for good, and its
 * {@code /health/ready} follows the database, not Kafka.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CoreMetricsIT {
    @RegisterExtension
    static final PostgresAndKafka<KafkaBrokerProcess> services = PostgresAndKafka.withKafkaProcess();

    /** The requests topic's record limit here: a short message's event fits, a long one's is refused for good. */
    private static final String MAX_MESSAGE_BYTES = "2048";

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void outboxMetersFollowTheRelayThroughAKafkaOutageAndAParkedEvent() throws Exception {
        Setup setup = Setup.fresh(services.postgres(), services.bootstrapServers(), "core_metrics");
        limitRecordSize(setup.topic());
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            long chat = alice.createChat("personal", List.of("bob@demo.local"), null);
            HttpResponse<String> page = get(core, "/metrics");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(page.body()).contains("jvm_memory_used_bytes", "process_cpu_usage");
            double sentBefore = meter(core, CoreMeters.OUTBOX_SENT);

            alice.sent(chat, "hello");
            Eventually.within(Duration.ofSeconds(15), () -> {
                assertThat(meter(core, CoreMeters.OUTBOX_SENT)).isGreaterThan(sentBefore);
                assertThat(meter(core, CoreMeters.OUTBOX_ROWS)).isZero();
                return assertThat(meter(core, CoreMeters.OUTBOX_OLDEST_AGE)).isZero();
            });

            services.kafka().kill();
            try {
                alice.sent(chat, "during the outage");
                double age = Eventually.within(Duration.ofSeconds(5), () -> {
                    assertThat(meter(core, CoreMeters.OUTBOX_ROWS)).isPositive();
                    return meter(core, CoreMeters.OUTBOX_OLDEST_AGE);
                });
                Eventually.within(Duration.ofSeconds(10), () -> assertThat(meter(core, CoreMeters.OUTBOX_OLDEST_AGE))
                        .isGreaterThan(age + 1));
                HttpResponse<String> ready = get(core, "/health/ready");
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                assertThat(JSON.readTree(ready.body()).path("status").asText()).isEqualTo("UP");
            } finally {
                services.kafka().start();
            }
            Eventually.within(Duration.ofSeconds(60), () -> {
                assertThat(meter(core, CoreMeters.OUTBOX_ROWS)).isZero();
                return assertThat(meter(core, CoreMeters.OUTBOX_OLDEST_AGE)).isZero();
            });
            assertThat(meter(core, CoreMeters.OUTBOX_PARKED_ROWS)).isZero();

            alice.sent(chat, "too long for the topic ".repeat(200));
            Eventually.within(Duration.ofSeconds(30), () -> {
                assertThat(meter(core, CoreMeters.OUTBOX_PARKED_ROWS)).isEqualTo(1);
                return assertThat(meter(core, CoreMeters.OUTBOX_PARKED)).isEqualTo(1);
            });
            assertThat(meter(core, CoreMeters.OUTBOX_ROWS)).isZero();
        }
    }

    @Test
    void readinessFollowsTheDatabaseWhileTheMetersStillAnswer() throws Exception {
        Setup setup = Setup.fresh(services.postgres(), services.bootstrapServers(), "core_ready");
        try (RestartablePostgres postgres = RestartablePostgres.launch()) {
            String url = postgres.createDatabase("core_ready");
            try (CoreServer core = CoreServer.start(
                    setup.config(dir).store(url, postgres.user(), "").build())) {
                HttpResponse<String> up = get(core, "/health/ready");
                assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
                assertThat(JSON.readTree(up.body()))
                        .isEqualTo(JSON.readTree("{\"status\":\"UP\",\"checks\":{\"database\":\"ok\"}}"));

                postgres.stop();
                JsonNode down = Eventually.within(Duration.ofSeconds(10), () -> {
                    HttpResponse<String> response = get(core, "/health/ready");
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
                    return JSON.readTree(response.body());
                });
                assertThat(down.path("status").asText()).isEqualTo("DOWN");
                assertThat(down.path("reason").asText()).startsWith("database: the database ");
                long start = System.nanoTime();
                assertThat(meter(core, CoreMeters.OUTBOX_ROWS)).isNaN();
                assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start))
                        .as("a scrape without the database")
                        .isLessThan(5);
                HttpResponse<String> live = get(core, "/health/live");
                assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
                assertThat(JSON.readTree(live.body()))
                        .isEqualTo(JSON.readTree("{\"status\":\"UP\",\"checks\":{\"relay\":\"ok\"}}"));

                postgres.start();
                Eventually.within(Duration.ofSeconds(40), () -> {
                    HttpResponse<String> response = get(core, "/health/ready");
                    return assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                });
                Eventually.within(Duration.ofSeconds(10), () -> assertThat(meter(core, CoreMeters.OUTBOX_ROWS))
                        .isNotNaN());
            }
        }
    }

    /** The value of {@code name}'s one sample on the core's {@code /metrics}. */
    private double meter(CoreServer core, String name) throws Exception {
        HttpResponse<String> page = get(core, "/metrics");
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        List<String> samples = PrometheusText.samples(page.body(), name);
        assertThat(samples).as(name).hasSize(1);
        return PrometheusText.sum(samples, "");
    }

    private HttpResponse<String> get(CoreServer core, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + core.port() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sets the topic's {@code max.message.bytes} to {@link #MAX_MESSAGE_BYTES} and waits until the broker has it. */
    private static void limitRecordSize(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers()))) {
            admin.incrementalAlterConfigs(Map.of(
                            resource,
                            List.of(new AlterConfigOp(
                                    new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, MAX_MESSAGE_BYTES),
                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get(60, TimeUnit.SECONDS);
            Eventually.within(Duration.ofSeconds(30), () -> assertThat(admin.describeConfigs(Set.of(resource))
                            .all()
                            .get(60, TimeUnit.SECONDS)
                            .get(resource)
                            .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)
                            .value())
                    .isEqualTo(MAX_MESSAGE_BYTES));
        }
    }
}

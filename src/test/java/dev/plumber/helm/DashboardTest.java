package dev.plumber.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plumber.core.CoreMeters;
import dev.plumber.core.events.OutboxBacklog;
import dev.plumber.metrics.Meters;
import dev.plumber.status.Status;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard queries only metrics the gateway and the core export, and the chart can ship it. */
class DashboardTest {
    private static final Path DASHBOARD = Chart.DIR.resolve("dashboards/plumber-gateway.json");
    private static final Pattern METRIC = Pattern.compile("\\b((?:plumber|jvm|process|system)_[a-z0-9_]+)\\b");

    @Test
    void queriesOnlyMetricsTheGatewayExports() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> queried = new TreeSet<>();
        for (JsonNode expr : dashboard.findValues("expr")) {
            Matcher m = METRIC.matcher(expr.asText());
            while (m.find()) {
                queried.add(m.group(1));
            }
        }

        assertThat(queried)
                .contains(
                        "plumber_events_total",
                        "plumber_dead_letters_total",
                        "plumber_dlp_call_seconds_bucket",
                        "plumber_dlp_call_seconds_count",
                        "plumber_events_in_flight",
                        "plumber_dlp_breaker_state",
                        "plumber_retries_total",
                        "plumber_offset_commits_total",
                        "plumber_core_outbox_rows",
                        "plumber_core_outbox_oldest_age_seconds",
                        "plumber_core_outbox_parked_rows")
                .isSubsetOf(exported());
        assertThat(dashboard.findValues("uid").stream().map(JsonNode::asText))
                .contains("plumber-gateway", "${datasource}");
    }

    @Test
    void isShippedAsAConfigMapForGrafanasSidecarWhenAskedTo() throws Exception {
        JsonNode configMap = Chart.templateFull().get("ConfigMap", "dlp-gateway-dashboard");

        assertThat(configMap.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        JsonNode shipped = new ObjectMapper()
                .readTree(configMap.at("/data/plumber-gateway.json").asText());
        assertThat(shipped).isEqualTo(new ObjectMapper().readTree(DASHBOARD.toFile()));
        assertThat(Chart.templateDefaults().kinds()).doesNotContain("ConfigMap/dlp-plumber-dashboard");
    }

    /**
     * Sample names a gateway's registry exposes once each gateway meter has been recorded (as Gateway binds them),
     * and the core's outbox gauges.
     * Kafka's own client metrics ({@code kafka_consumer_*}) appear only once a consumer has partitions, so the
     * pattern leaves them out.
     */
    private static Set<String> exported() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        try (JvmGcMetrics gc = new JvmGcMetrics()) {
            gc.bindTo(registry);
            Meters meters = new Meters(registry);
            meters.terminal(Status.BLOCKED);
            meters.deadLetter("dlp");
            meters.dlpCall("icap", "blocked", Duration.ofMillis(12));
            meters.inFlight(() -> 3);
            meters.breakerState("icap://dlp:1344/request", () -> 0);
            meters.retry("dlp");
            meters.commit(true);
            // The core's outbox row reads the core's own meters.
            new CoreMeters(registry).outboxBacklog(() -> new OutboxBacklog.Reading(3, 1.5, 0));
            // A GC pause is recorded only when one happens; its sample names are those of any timer.
            registry.timer("jvm.gc.pause").record(Duration.ofMillis(1));
            return registry.scrape()
                    .lines()
                    .filter(line -> !line.startsWith("#") && !line.isBlank())
                    .map(line -> line.split("[{ ]", 2)[0])
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}

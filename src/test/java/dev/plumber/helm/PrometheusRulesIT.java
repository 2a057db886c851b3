package dev.plumber.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.plumber.auth.PasswordHasher;
import dev.plumber.core.CoreConfig;
import dev.plumber.core.CoreMeters;
import dev.plumber.core.CoreServer;
import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.event.EventCodec;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.gateway.Gateway;
import dev.plumber.gateway.Senders;
import dev.plumber.metrics.Meters;
import dev.plumber.mock.icap.IcapMockServer;
import dev.plumber.mock.icap.MockRules;
import dev.plumber.settings.FileDlpSettingsSource;
import dev.plumber.settings.GatewayConfig;
import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.FreePorts;
import dev.plumber.testkit.GatewayApi;
import dev.plumber.testkit.KafkaTopics;
import dev.plumber.testkit.PrometheusText;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's alert rules ({@code helm/plumber/files/alerts.yaml}) pass Prometheus's own {@code promtool}: the rules
 * check, their unit tests ({@code src/test/resources/alerts-test.yaml}, one firing and one quiet case per alert), and
 * every metric and label they name is on the {@code /metrics} of a real gateway and a real core, whose pages pass
 * {@code promtool check metrics}. promtool comes with Debian's {@code prometheus} package (scripts/test-env.sh).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PrometheusRulesIT {
    private static final Path RULES = Chart.DIR.resolve("files/alerts.yaml");
    private static final Path RULE_TESTS =
            Path.of("src", "test", "resources", "alerts-test.yaml").toAbsolutePath();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern METRIC = Pattern.compile("\\b(plumber_[a-z0-9_]+|up)\\b");
    private static final Pattern SELECTOR = Pattern.compile("\\b(plumber_[a-z0-9_]+|up)\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)");

    /** Series the rules use that no {@code /metrics} page has, and why. */
    private static final Map<String, String> NOT_ON_METRICS =
            Map.of("up", "Prometheus's own series for each target it scrapes");

    private static String promtool;

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @BeforeAll
    static void findPromtool() {
        promtool = program("promtool");
    }

    @Test
    void rulesPassPromtoolsCheck() throws Exception {
        Run check = promtool(List.of("check", "rules", RULES.toString()), null);

        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + alerts().size() + " rules found");
    }

    @Test
    void eachAlertFiresInItsUnitTestAtItsTimeAndStaysQuietBeforeOrBeside() throws Exception {
        Run test = promtool(List.of("test", "rules", RULE_TESTS.toString()), null);

        assertThat(test.exit()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
        Set<String> firing = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        for (JsonNode group : YAML.readTree(RULE_TESTS.toFile()).path("tests")) {
            for (JsonNode check : group.path("alert_rule_test")) {
                (check.path("exp_alerts").isEmpty() ? quiet : firing)
                        .add(check.path("alertname").asText());
            }
        }
        assertThat(firing).as("alerts with a case where they fire").isEqualTo(alerts().keySet());
        assertThat(quiet).as("alerts with a case where they do not").isEqualTo(alerts().keySet());
    }

    @Test
    void theChartsPrometheusRuleHoldsRulesPromtoolAccepts() throws Exception {
        JsonNode rule = Chart.templateFull().get("PrometheusRule", "dlp-gateway");
        Path file = dir.resolve("rendered-rules.yaml");
        YAML.writeValue(file.toFile(), rule.path("spec"));

        Run check = promtool(List.of("check", "rules", file.toString()), null);

        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + alerts().size() + " rules found");
    }

    /**
     * A gateway that has decided, dead-lettered, retried and not recorded events, and a core: every meter a rule
     * names is on their pages, with the labels the rules match or aggregate on, and promtool finds nothing to lint.
     */
    @Test
    void everyMetricTheRulesUseIsOnTheScrapeOfARealGatewayAndCore() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start();
                EmbeddedKafka kafka = EmbeddedKafka.start();
                IcapMockServer icap = IcapMockServer.start(0, MockRules.demo())) {
            KafkaTopics.create(
                    kafka.bootstrapServers(), Map.of("dlp.requests", 1, "dlp.status", 1, "dlp.requests.dlq", 1));
            Path settings = Files.writeString(
                    dir.resolve("dlp.settings"), "system=icap\naddress=icap://127.0.0.1:" + icap.port() + "/request\n");
            String store = postgres.createDatabase("gateway");
            String gatewayPage = gatewayAfterTraffic(kafka, postgres, store, settings);
            String corePage;
            try (CoreServer core = CoreServer.start(CoreConfig.builder()
                    .port(0)
                    .bootstrapServers(kafka.bootstrapServers())
                    .store(postgres.createDatabase("core"), postgres.user(), "")
                    .keyFile(dir.resolve("core.key"))
                    .filesDir(dir.resolve("files"))
                    .serviceToken("gateway-service-token-0123456789")
                    .passwordIterations(1_000)
                    .build())) {
                // The outbox gauges read the database at most once a second; the first scrape may start that.
                corePage = Eventually.within(Duration.ofSeconds(10), () -> {
                    String page = scrape(core.port());
                    assertThat(PrometheusText.samples(page, CoreMeters.OUTBOX_ROWS))
                            .hasSize(1);
                    return page;
                });
            }

            assertMetricsOf("plumber-gateway", gatewayPage);
            assertMetricsOf("plumber-core", corePage);
        }
    }

    /**
     * Runs one gateway to decide an event, then another of the same group (a restart) that takes a malformed record (a
     * dead letter), that event produced a second time (its verdict is not recorded: the id was decided before) and a
     * file whose download fails (retries). Returns the second one's {@code /metrics}.
     */
    private String gatewayAfterTraffic(EmbeddedKafka kafka, EmbeddedPostgres postgres, String store, Path settings)
            throws Exception {
        MessageEvent message = message("lunch at noon?");
        send(kafka, message.key(), EventCodec.encode(message));
        try (Gateway first = gateway(kafka, postgres, store, settings)) {
            GatewayApi.asAdmin(first.httpPort()).awaitStatus(message.id(), "ALLOWED");
        }
        try (Gateway gateway = gateway(kafka, postgres, store, settings)) {
            send(kafka, message.key(), "{not json".getBytes(StandardCharsets.UTF_8));
            // Once the dead letter is counted the partition is this gateway's: what comes next is new to it, so the
            // second copy of the event goes to the DLP without a look-up, and its verdict finds the row decided.
            Eventually.within(Duration.ofSeconds(60), () -> assertThat(PrometheusText.sum(
                            PrometheusText.samples(scrape(gateway.httpPort()), Meters.DEAD_LETTERS), ""))
                    .isPositive());
            send(kafka, message.key(), EventCodec.encode(message));
            FileEvent file = new FileEvent(
                    UUID.randomUUID(),
                    "f00d",
                    "report.pdf",
                    1024,
                    "application/pdf",
                    "alice@it.local",
                    "10.0.0.5",
                    Instant.now());
            send(kafka, file.key(), EventCodec.encode(file));
            return Eventually.within(Duration.ofSeconds(60), () -> {
                String page = scrape(gateway.httpPort());
                for (String counter : List.of(Meters.UNRECORDED, Meters.RETRIES)) {
                    assertThat(PrometheusText.sum(PrometheusText.samples(page, counter), ""))
                            .as(counter)
                            .isPositive();
                }
                return page;
            });
        }
    }

    /** A gateway on {@code store} whose files come from a port nothing listens on. */
    private static Gateway gateway(EmbeddedKafka kafka, EmbeddedPostgres postgres, String store, Path settings)
            throws Exception {
        GatewayConfig config = new GatewayConfig(
                null,
                null,
                new GatewayConfig.Files("http://127.0.0.1:" + FreePorts.one(), Duration.ofSeconds(2), null),
                new GatewayConfig.Kafka(kafka.bootstrapServers(), "plumber-alerts", null),
                new GatewayConfig.Store(store, postgres.user(), ""),
                new GatewayConfig.Http(0),
                new GatewayConfig.Console(new GatewayConfig.Account("admin@it.local", "pw")));
        return Gateway.start(
                config, FileDlpSettingsSource.read(settings), Senders.create(config), new PasswordHasher(1_000));
    }

    /** promtool's lint passes {@code page}, and it has every metric and label the rules of {@code group} use. */
    private void assertMetricsOf(String group, String page) throws Exception {
        Run lint = promtool(List.of("check", "metrics"), page);
        // Exit 1: the page does not parse; 3: naming findings. Micrometer's JVM and Kafka binders keep their own names
        // (jvm_compilation_time_ms_total, kafka_consumer_io_time_ns_avg, system_cpu_count, ...), which promtool finds
        // fault with; Plumber's own meters must pass.
        assertThat(lint.exit())
                .as("promtool check metrics on the %s page:\n%s", group, lint.output())
                .isIn(0, 3);
        assertThat(lint.output().lines())
                .as("promtool check metrics on the %s page", group)
                .noneMatch(line -> line.startsWith("plumber_") || line.startsWith("error"));

        Map<String, Set<String>> scraped = labelsByMetric(page);
        for (String expr : exprs(group)) {
            Matcher metric = METRIC.matcher(expr);
            while (metric.find()) {
                String name = metric.group(1);
                if (!NOT_ON_METRICS.containsKey(name)) {
                    assertThat(scraped)
                            .as("%s, used by %s: %s", name, group, expr)
                            .containsKey(name);
                }
            }
            Matcher selector = SELECTOR.matcher(expr);
            while (selector.find()) {
                String name = selector.group(1);
                Matcher label = MATCHER.matcher(selector.group(2));
                while (label.find() && !NOT_ON_METRICS.containsKey(name)) {
                    assertThat(scraped.get(name))
                            .as("labels of %s in %s", name, expr)
                            .contains(label.group(1));
                }
            }
        }
    }

    /** The label names of each sample name on a {@code /metrics} page. */
    private static Map<String, Set<String>> labelsByMetric(String page) {
        Pattern labelName = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
        Map<String, Set<String>> labels = new TreeMap<>();
        page.lines().filter(line -> !line.startsWith("#") && !line.isBlank()).forEach(line -> {
            String[] parts = line.split("[{ ]", 2);
            Set<String> names = labels.computeIfAbsent(parts[0], n -> new TreeSet<>());
            if (line.contains("{")) {
                labelName
                        .matcher(line.substring(line.indexOf('{'), line.lastIndexOf('}')))
                        .results()
                        .forEach(r -> names.add(r.group(1)));
            }
        });
        return labels;
    }

    /** The alerts of the rules file, by name, with their group. */
    private static Map<String, String> alerts() throws IOException {
        Map<String, String> alerts = new TreeMap<>();
        for (JsonNode group : YAML.readTree(RULES.toFile()).path("groups")) {
            group.path("rules")
                    .forEach(r -> alerts.put(
                            r.path("alert").asText(), group.path("name").asText()));
        }
        return alerts;
    }

    private static List<String> exprs(String group) throws IOException {
        List<String> exprs = new ArrayList<>();
        for (JsonNode g : YAML.readTree(RULES.toFile()).path("groups")) {
            if (g.path("name").asText().equals(group)) {
                g.path("rules").forEach(r -> exprs.add(r.path("expr").asText()));
            }
        }
        assertThat(exprs).as("rules of group %s", group).isNotEmpty();
        return exprs;
    }

    private String scrape(int port) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private static MessageEvent message(String text) {
        return new MessageEvent(
                UUID.randomUUID(),
                System.nanoTime(),
                "alice@it.local",
                "chat-alerts",
                "group",
                text,
                null,
                "{}",
                "10.0.0.5",
                Instant.now(),
                false);
    }

    private static void send(EmbeddedKafka kafka, String key, byte[] value) throws Exception {
        KafkaTopics.produce(kafka.bootstrapServers(), "dlp.requests", key.getBytes(StandardCharsets.UTF_8), value);
    }

    /** Runs promtool with {@code input} on its standard input (none when null). */
    private static Run promtool(List<String> arguments, String input) throws Exception {
        List<String> command = new ArrayList<>(List.of(promtool));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (input == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Process process = builder.start();
        if (input != null) {
            try (var stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(1, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within a minute");
        }
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    /** {@code name} on PATH or where Debian puts it; a clear failure, not a skip, when it is missing. */
    private static String program(String name) {
        List<String> dirs = new ArrayList<>(
                List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")));
        dirs.add("/usr/bin");
        for (String d : dirs) {
            Path candidate = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError("'" + name + "' is not installed; the alert rule tests need Debian's package"
                + " prometheus (apt-get install prometheus, or run scripts/test-env.sh)");
    }

    private record Run(int exit, String output) {}
}

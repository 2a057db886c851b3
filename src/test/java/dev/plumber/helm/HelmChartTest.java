package dev.plumber.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.Release;
import dev.plumber.settings.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart lints clean, renders what the gateway needs to run in Kubernetes, and its schema refuses wrong values. */
class HelmChartTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path tmp;

    @Test
    void lintsStrictWithoutFindings() {
        LintResult result = Chart.helm().lint().strict().call();

        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
        assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
    }

    @Test
    void rendersTheGatewayWithProbesGraceAndALockedDownPod() throws Exception {
        Chart.Rendered rendered = Chart.templateDefaults();

        assertThat(rendered.kinds())
                .containsExactlyInAnyOrder(
                        "ServiceAccount/dlp-plumber",
                        "ConfigMap/dlp-plumber",
                        "Service/dlp-plumber",
                        "Deployment/dlp-plumber",
                        "PodDisruptionBudget/dlp-plumber");
        JsonNode deployment = rendered.get("Deployment", "dlp-plumber");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(1);
        JsonNode pod = deployment.at("/spec/template/spec");
        assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isGreaterThanOrEqualTo(45);
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();

        JsonNode gateway = pod.path("containers").get(0);
        assertThat(texts(gateway.path("command")))
                .containsSubsequence(
                        "java",
                        "-XX:+UseG1GC",
                        "-Dlogback.configurationFile=logback-json.xml",
                        "-jar",
                        "/app/plumber.jar");
        assertThat(texts(gateway.path("args"))).containsExactly("gateway", "--config", "/etc/plumber/plumber.yml");
        assertThat(gateway.at("/ports/0/containerPort").asInt()).isEqualTo(8081);
        assertThat(gateway.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
        assertThat(gateway.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
        assertThat(gateway.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
        assertThat(gateway.at("/resources/requests/memory").asText()).isEqualTo("512Mi");
        assertThat(gateway.at("/securityContext/readOnlyRootFilesystem").asBoolean())
                .isTrue();
        assertThat(gateway.at("/securityContext/allowPrivilegeEscalation").asBoolean())
                .isFalse();
        assertThat(texts(gateway.at("/securityContext/capabilities/drop"))).containsExactly("ALL");
        assertThat(gateway.path("volumeMounts").findValuesAsText("mountPath"))
                .containsExactlyInAnyOrder("/etc/plumber", "/tmp");
        assertThat(pod.at("/volumes/1/emptyDir").isObject()).isTrue();
        // Without an existing Secret nothing refers to one; NOTES warn about it.
        assertThat(Chart.Rendered.env(gateway)).containsOnlyKeys("PLUMBER_LOG_LEVEL", "PLUMBER_LOG_ROOT_LEVEL");

        assertThat(deployment
                        .at("/spec/template/metadata/annotations/prometheus.io~1path")
                        .asText())
                .isEqualTo("/metrics");
        assertThat(rendered.get("Service", "dlp-plumber")
                        .at("/spec/ports/0/port")
                        .asInt())
                .isEqualTo(8081);
        assertThat(rendered.get("PodDisruptionBudget", "dlp-plumber")
                        .at("/spec/maxUnavailable")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void rendersThePlumberYmlOfTheSeedThatTheGatewayLoads() throws Exception {
        JsonNode configMap = Chart.templateDefaults().get("ConfigMap", "dlp-plumber");
        Path file = Files.writeString(
                tmp.resolve("plumber.yml"), configMap.at("/data/plumber.yml").asText());

        GatewayConfig config = GatewayConfig.load(file, Map.of());

        assertThat(config.etcd().endpoints()).containsExactly("http://etcd:2379");
        assertThat(config.etcd().prefixes()).containsExactly("development");
        assertThat(config.etcd().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.dlpClient().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.dlpClient().debug()).isFalse();
        assertThat(config.files().url()).isEqualTo("http://files.example");
        assertThat(config.kafka().groupId()).isEqualTo("plumber");
        assertThat(config.kafka().fetchWait()).isEqualTo(Duration.ofMillis(10));
        assertThat(config.http().port()).isEqualTo(8081);
        assertThat(config.store().password()).isEmpty();
        // No key Secret: a key for the pod's life only (the gateway warns), and nothing mounted for one.
        assertThat(config.console().contentKeyFile()).isEmpty();
        assertThat(configMap.at("/data/plumber.yml").asText()).doesNotContain("plumber-keys");
    }

    @Test
    void rendersEveryOptionOfTheFullValues() throws Exception {
        Chart.Rendered rendered = Chart.templateFull();

        assertThat(rendered.kinds())
                .contains(
                        "HorizontalPodAutoscaler/dlp-gateway",
                        "ServiceMonitor/dlp-gateway",
                        "ServiceMonitor/dlp-gateway-core",
                        "PrometheusRule/dlp-gateway",
                        "ServiceAccount/dlp-gateway-sa",
                        "Deployment/dlp-gateway-core",
                        "Service/dlp-gateway-core",
                        "ConfigMap/dlp-gateway-core",
                        "Deployment/dlp-gateway-icap-mock",
                        "Service/dlp-gateway-icap-mock");
        JsonNode deployment = rendered.get("Deployment", "dlp-gateway");
        // The autoscaler owns the replica count.
        assertThat(deployment.at("/spec/replicas").isMissingNode()).isTrue();
        JsonNode pod = deployment.at("/spec/template/spec");
        assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isEqualTo(90);
        assertThat(pod.path("serviceAccountName").asText()).isEqualTo("dlp-gateway-sa");
        assertThat(pod.path("priorityClassName").asText()).isEqualTo("high-priority");
        JsonNode gateway = pod.path("containers").get(0);
        assertThat(gateway.path("image").asText()).isEqualTo("registry.example/plumber/plumber:0.1.0-rc1");

        Map<String, JsonNode> env = Chart.Rendered.env(gateway);
        assertThat(env.get("PLUMBER_LOG_LEVEL").path("value").asText()).isEqualTo("DEBUG");
        assertThat(env.get("TZ").path("value").asText()).isEqualTo("UTC");
        assertSecretRef(env, "PLUMBER_STORE_PASSWORD", "db-password", false);
        assertSecretRef(env, "PLUMBER_FILES_TOKEN", "files-token", true);
        assertSecretRef(env, "PLUMBER_ETCD_PASSWORD", "etcd-password", true);
        assertSecretRef(env, "PLUMBER_CONSOLE_BOOTSTRAPADMIN_PASSWORD", "admin-password", true);
        assertThat(rendered.text()).doesNotContain("password:", "token:");

        JsonNode hpa = rendered.get("HorizontalPodAutoscaler", "dlp-gateway");
        assertThat(hpa.at("/spec/maxReplicas").asInt()).isEqualTo(6);
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo("dlp-gateway");
        assertThat(rendered.get("PodDisruptionBudget", "dlp-gateway")
                        .at("/spec/minAvailable")
                        .asInt())
                .isEqualTo(2);
        JsonNode monitor = rendered.get("ServiceMonitor", "dlp-gateway");
        assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
        assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
        assertThat(monitor.at("/spec/endpoints/0/interval").asText()).isEqualTo("15s");
        // The alert rules find the targets' `up` by these, whatever the release is called.
        assertThat(texts(monitor.at("/spec/podTargetLabels")))
                .containsExactly("app.kubernetes.io/part-of", "app.kubernetes.io/component");
        assertThat(deployment
                        .at("/spec/template/metadata/annotations/prometheus.io~1scrape")
                        .isMissingNode())
                .isTrue();

        Path file = Files.writeString(
                tmp.resolve("plumber.yml"),
                rendered.get("ConfigMap", "dlp-gateway").at("/data/plumber.yml").asText());
        GatewayConfig config = GatewayConfig.load(file, Map.of("PLUMBER_STORE_PASSWORD", "from-secret"));
        assertThat(config.etcd().endpoints()).containsExactly("http://etcd-0.etcd:2379", "http://etcd-1.etcd:2379");
        assertThat(config.etcd().prefixes()).containsExactly("common", "EXAMPLE");
        assertThat(config.etcd().user()).isEqualTo("plumber");
        assertThat(config.dlpClient().timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.dlpClient().debug()).isTrue();
        assertThat(config.dlpClient().icapConnections()).isEqualTo(24);
        // files.url left empty with the core on: the gateway downloads from the chart's core.
        assertThat(config.files().url()).isEqualTo("http://dlp-gateway-core:8080");
        assertThat(config.files().timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.kafka().topics().deadLetter()).isEqualTo("dlp.requests.v2.dlq");
        assertThat(config.kafka().topics().adminEvents()).isEqualTo("messenger.admin-events");
        assertThat(config.kafka().topics().systemEvents()).isEqualTo("messenger.system-events");
        assertThat(config.kafka().fetchWait()).isEqualTo(Duration.ofMillis(50));
        assertThat(config.store().url()).isEqualTo("jdbc:postgresql://postgres.db:5432/plumber?sslmode=require");
        assertThat(config.store().password()).isEqualTo("from-secret");
        assertThat(config.console().bootstrapAdmin().email()).isEqualTo("admin@example.com");
        assertThat(config.console().secureCookies()).isTrue();
        assertThat(config.console().contentKeyFile()).isEqualTo("/etc/plumber-keys/content-2026.key");
        assertThat(config.console().previousContentKeyFiles())
                .containsExactly("/etc/plumber-keys/content-2025.key", "/etc/plumber-keys/content-2024.key");
        assertThat(gateway.at("/volumeMounts").findValuesAsText("mountPath")).contains("/etc/plumber-keys");
        JsonNode keys = pod.path("volumes").findParent("secretName");
        assertThat(keys.path("secretName").asText()).isEqualTo("plumber-content-keys");
        assertThat(keys.path("defaultMode").asInt()).isEqualTo(0440);

        JsonNode core = rendered.get("Deployment", "dlp-gateway-core");
        assertThat(texts(core.at("/spec/template/spec/containers/0/args")))
                .containsExactly("core", "--config", "/etc/plumber/core.yml");
        JsonNode coreContainer = core.at("/spec/template/spec/containers/0");
        assertThat(coreContainer.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
        assertThat(coreContainer.at("/livenessProbe/timeoutSeconds"))
                .isEqualTo(gateway.at("/livenessProbe/timeoutSeconds"));
        assertThat(coreContainer.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
        assertThat(coreContainer.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
        assertThat(coreContainer.at("/readinessProbe/tcpSocket").isMissingNode())
                .isTrue();
        JsonNode coreMonitor = rendered.get("ServiceMonitor", "dlp-gateway-core");
        assertThat(coreMonitor
                        .at("/spec/selector/matchLabels/app.kubernetes.io~1component")
                        .asText())
                .isEqualTo("core");
        assertThat(coreMonitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
        assertThat(coreMonitor.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
        assertThat(texts(coreMonitor.at("/spec/podTargetLabels")))
                .containsExactly("app.kubernetes.io/part-of", "app.kubernetes.io/component");
        assertSecretRef(
                Chart.Rendered.env(core.at("/spec/template/spec/containers/0")),
                "PLUMBER_FILES_SERVICETOKEN",
                "files-token",
                true);
        String coreYml = rendered.get("ConfigMap", "dlp-gateway-core")
                .at("/data/core.yml")
                .asText();
        assertThat(coreYml)
                .contains(
                        "check_dlp_sync: true",
                        "maxSize: 52428800",
                        "dir: /data/files",
                        "groupId: plumber-core",
                        "adminEvents: messenger.admin-events",
                        "systemEvents: messenger.system-events");
        JsonNode mock = rendered.get("Deployment", "dlp-gateway-icap-mock");
        assertThat(texts(mock.at("/spec/template/spec/containers/0/args")))
                .containsExactly("icap-mock", "--port", "11344");
    }

    @Test
    void shipsTheAlertRulesFileAsAPrometheusRuleWithTheCoresAlertsOnlyWithTheCore() throws Exception {
        JsonNode file = YAML.readTree(Chart.DIR.resolve("files/alerts.yaml").toFile());
        assertThat(file.path("groups").findValuesAsText("name")).containsExactly("plumber-gateway", "plumber-core");

        JsonNode rule = Chart.templateFull().get("PrometheusRule", "dlp-gateway");
        assertThat(rule.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
        assertThat(rule.at("/spec/groups")).isEqualTo(file.path("groups"));

        JsonNode withoutCore = Chart.template(
                        command -> command.withValuesFile(Chart.FULL_VALUES).set("core.enabled", false))
                .get("PrometheusRule", "dlp-gateway");
        assertThat(withoutCore.at("/spec/groups"))
                .containsExactly(file.path("groups").get(0));
        assertThat(Chart.templateDefaults().has("PrometheusRule")).isFalse();
    }

    @Test
    void mountsTheContentKeySecretAndNamesItsKeysInThePlumberYml() throws Exception {
        Chart.Rendered rendered =
                Chart.template(command -> command.set("console.contentKeys.existingSecret", "content-keys"));
        Path file = Files.writeString(
                tmp.resolve("plumber.yml"),
                rendered.get("ConfigMap", "dlp-plumber").at("/data/plumber.yml").asText());

        GatewayConfig config = GatewayConfig.load(file, Map.of());

        assertThat(config.console().contentKeyFile()).isEqualTo("/etc/plumber-keys/content.key");
        assertThat(config.console().previousContentKeyFiles()).isEmpty();
        assertThat(config.console().secureCookies()).as("off unless asked for").isFalse();
        assertThat(rendered.get("Deployment", "dlp-plumber")
                        .at("/spec/template/spec/volumes")
                        .findValuesAsText("secretName"))
                .containsExactly("content-keys");
    }

    @Test
    void printsTheEtcdctlCommandsForTheDlpKeysInItsNotes() {
        Release release = Chart.helm()
                .install()
                .withName(Chart.RELEASE)
                .withNamespace(Chart.NAMESPACE)
                .withKubeVersion(Chart.KUBE_VERSION)
                .withDryRunOption(com.marcnuri.helm.DryRun.CLIENT)
                .clientOnly()
                .set("etcd.prefixes[0]", "EXAMPLE")
                .call();

        assertThat(release.getOutput())
                .contains(
                        "etcdctl --endpoints=etcd:2379 put /vars/services/plumber/EXAMPLE/public/service/DLP/system icap",
                        "/vars/services/plumber/EXAMPLE/public/service/DLP/address 'icap://<DLP-HOST>:1344/request'",
                        "DLP/imservice im_VKteams",
                        "secrets.existingSecret is empty");
    }

    @Test
    void refusesValuesThatBreakTheSchema() {
        assertRejected("dlpClient.timeout", "5 seconds", "at '/dlpClient/timeout'");
        assertRejected("logging.format", "xml", "at '/logging/format'");
        assertRejected("terminationGracePeriodSeconds", 10, "at '/terminationGracePeriodSeconds'");
        assertRejected("replicas", "two", "at '/replicas'");
        assertRejected("etcd.endpoints[0]", "etcd:2379", "at '/etcd/endpoints/0'");
        assertRejected("etcd.prefix", "EXAMPLE", "'prefix'");
        assertRejected("store.url", "postgres://db/plumber", "at '/store/url'");
        assertRejected("console.contentKeys.current", "../content.key", "at '/console/contentKeys/current'");
        // The vendor's manual writes it without a scheme; the gateway could not download from that.
        assertRejected("files.url", "files-c.example.com", "at '/files/url'");
        assertRejected("metrics.prometheusRule.enabled", "yes", "at '/metrics/prometheusRule/enabled'");
    }

    private static void assertRejected(String key, Object value, String reported) {
        assertThatThrownBy(() -> Chart.template(command -> command.set(key, value)))
                .as("%s=%s", key, value)
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(reported);
    }

    private static void assertSecretRef(Map<String, JsonNode> env, String name, String key, boolean optional) {
        JsonNode ref = env.get(name).at("/valueFrom/secretKeyRef");
        assertThat(ref.path("name").asText()).as(name).isEqualTo("plumber-secrets");
        assertThat(ref.path("key").asText()).as(name).isEqualTo(key);
        assertThat(ref.path("optional").asBoolean()).as(name).isEqualTo(optional);
    }

    private static List<String> texts(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false)
                .map(JsonNode::asText)
                .toList();
    }
}

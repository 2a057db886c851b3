package dev.plumber.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered manifests pass the Kubernetes schemas, offline: npm's kubernetes-models (installed by
 * scripts/k8s-schemas.sh) checks types, enum values and required fields of every object.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KubernetesSchemaIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path checker;

    @TempDir
    Path tmp;

    @BeforeAll
    static void installChecker() throws Exception {
        Run install = run(List.of("scripts/k8s-schemas.sh"));
        assertThat(install.exit()).as(install.output()).isZero();
        checker = Path.of(install.output().strip().lines().reduce((a, b) -> b).orElseThrow())
                .resolve("k8s-validate.mjs");
    }

    @Test
    void defaultManifestsMatchTheKubernetesSchemas() throws Exception {
        Chart.Rendered rendered = Chart.templateDefaults();

        Run check = check(rendered.objects());

        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output().lines()).hasSize(rendered.objects().size()).allMatch(l -> l.startsWith("ok "));
    }

    @Test
    void fullValuesManifestsMatchTheKubernetesSchemas() throws Exception {
        Chart.Rendered rendered = Chart.templateFull();

        Run check = check(rendered.objects());

        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output().lines())
                .hasSize(rendered.objects().size())
                .contains(
                        "ok Deployment/dlp-gateway",
                        "ok HorizontalPodAutoscaler/dlp-gateway",
                        "ok PodDisruptionBudget/dlp-gateway",
                        "ok ServiceMonitor/dlp-gateway",
                        "ok PrometheusRule/dlp-gateway",
                        "ok Deployment/dlp-gateway-core",
                        "ok Deployment/dlp-gateway-icap-mock");
    }

    @Test
    void reportsAnObjectThatBreaksItsSchema() throws Exception {
        ObjectNode deployment =
                Chart.templateDefaults().get("Deployment", "dlp-plumber").deepCopy();
        ((ObjectNode) deployment.path("spec")).put("replicas", "three");

        Run check = check(List.of(deployment));

        assertThat(check.exit()).isEqualTo(1);
        assertThat(check.output()).contains("invalid Deployment/dlp-plumber", "replicas must be integer");
    }

    private Run check(List<JsonNode> objects) throws Exception {
        Path file = tmp.resolve("objects.json");
        JSON.writeValue(file.toFile(), objects);
        return run(List.of("node", checker.toString(), file.toString()));
    }

    private static Run run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish");
        }
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private record Run(int exit, String output) {}
}

package dev.plumber.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The chart in {@code helm/plumber}, rendered through Helm's library, with its objects parsed for assertions. */
final class Chart {
    static final Path DIR = Path.of("helm", "plumber").toAbsolutePath();
    static final Path FULL_VALUES = DIR.resolve("ci/full-values.yaml");
    static final String RELEASE = "dlp";
    static final String NAMESPACE = "messenger";
    /** Helm's library assumes Kubernetes 1.20 without a cluster; the chart needs 1.25 (policy/v1, autoscaling/v2). */
    static final String KUBE_VERSION = "1.31.0";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Chart() {}

    static Helm helm() {
        return new Helm(DIR);
    }

    /** {@code helm template} with the default values, then the given customization. */
    static Rendered template(UnaryOperator<TemplateCommand> values) throws IOException {
        String manifests = values.apply(helm().template()
                        .withName(RELEASE)
                        .withNamespace(NAMESPACE)
                        .withKubeVersion(KUBE_VERSION))
                .call();
        return new Rendered(manifests, parse(manifests));
    }

    static Rendered templateDefaults() throws IOException {
        return template(command -> command);
    }

    static Rendered templateFull() throws IOException {
        return template(command -> command.withValuesFile(FULL_VALUES));
    }

    private static List<JsonNode> parse(String manifests) throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        try (YAMLParser parser = (YAMLParser) YAML.createParser(manifests)) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode node = it.next();
                if (node != null && node.isObject() && node.has("kind")) {
                    objects.add(node);
                }
            }
        }
        return List.copyOf(objects);
    }

    /** The output of one rendering: the text and its objects in order. */
    record Rendered(String text, List<JsonNode> objects) {
        JsonNode get(String kind, String name) {
            return objects.stream()
                    .filter(o -> o.path("kind").asText().equals(kind)
                            && o.path("metadata").path("name").asText().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in:\n" + kinds()));
        }

        boolean has(String kind) {
            return objects.stream().anyMatch(o -> o.path("kind").asText().equals(kind));
        }

        List<String> kinds() {
            return objects.stream()
                    .map(o -> o.path("kind").asText() + "/"
                            + o.path("metadata").path("name").asText())
                    .toList();
        }

        /** A container's env as name → node ({@code value} or {@code valueFrom}). */
        static Map<String, JsonNode> env(JsonNode container) {
            Map<String, JsonNode> env = new java.util.LinkedHashMap<>();
            container.path("env").forEach(e -> env.put(e.path("name").asText(), e));
            return env;
        }
    }
}

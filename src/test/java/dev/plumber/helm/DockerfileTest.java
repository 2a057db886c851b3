package dev.plumber.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The image the Dockerfile describes is the one the chart expects: its user, its jar, its default command. */
class DockerfileTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void runsTheJarAsTheChartsUnprivilegedUserOnAJre21() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
        JsonNode pod = Chart.templateDefaults().get("Deployment", "dlp-plumber").at("/spec/template/spec");
        JsonNode gateway = pod.path("containers").get(0);

        List<String> stages = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(stages).hasSize(2);
        assertThat(stages.get(0)).contains(":21-jdk").endsWith(" AS build");
        assertThat(stages.get(1)).contains(":21-jre");
        assertThat(instruction(lines, "USER"))
                .isEqualTo(pod.at("/securityContext/runAsUser").asText() + ":"
                        + pod.at("/securityContext/runAsGroup").asText());
        List<String> entrypoint = exec(lines, "ENTRYPOINT");
        assertThat(entrypoint.getFirst()).isEqualTo("java");
        assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size()))
                .containsExactly("-jar", "/app/plumber.jar");
        List<String> command = strings(gateway.path("command"));
        assertThat(command.subList(command.size() - 2, command.size())).containsExactly("-jar", "/app/plumber.jar");
        assertThat(exec(lines, "CMD")).containsExactlyElementsOf(strings(gateway.path("args")));
    }

    private static String instruction(List<String> lines, String name) {
        return lines.stream()
                .filter(l -> l.startsWith(name + " "))
                .reduce((first, last) -> last)
                .orElseThrow()
                .substring(name.length() + 1)
                .strip();
    }

    private static List<String> strings(JsonNode array) {
        return JSON.convertValue(array, JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    }

    /** An exec-form instruction's JSON array: the form that makes java PID 1 and lets SIGTERM reach it. */
    private static List<String> exec(List<String> lines, String name) throws Exception {
        return JSON.readValue(
                instruction(lines, name), JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    }
}

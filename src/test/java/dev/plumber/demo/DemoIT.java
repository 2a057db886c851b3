package dev.plumber.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSettingsSource;
import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.FreePorts;
import dev.plumber.testkit.JsonHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo as a user meets it: its accounts log in, the demo rules block what they promise to block, and it stops
 * cleanly.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DemoIT {

    @Test
    void demoAccountsSendMessagesAndTheAuditorSeesTheVerdicts() throws Exception {
        int[] ports = FreePorts.take(3);
        Demo.Ports demoPorts = new Demo.Ports(ports[0], ports[1], ports[2]);
        DlpSettings settings = DlpSettings.fromMap(
                Map.of("system", "icap", "address", "icap://127.0.0.1:" + demoPorts.icap() + "/request"));
        try (Demo demo = Demo.start(demoPorts, DlpSettingsSource.fixed(settings))) {
            JsonHttp alice = new JsonHttp("http://127.0.0.1:" + demoPorts.core()).login("alice@demo.local", "demo");
            String chat = alice.post("/api/v1/chats", "{\"type\":\"personal\",\"members\":[\"bob@demo.local\"]}")
                    .get("id")
                    .asText();
            long ordinary = send(alice, chat, "Lunch at noon?");
            long card = send(alice, chat, "pay with 4111 1111 1111 1111");
            long secret = send(alice, chat, "this is CONFIDENTIAL");

            JsonHttp auditor =
                    new JsonHttp("http://127.0.0.1:" + demoPorts.gateway()).login("auditor@demo.local", "demo");
            assertThat(await(auditor, ordinary).get("status").asText()).isEqualTo("ALLOWED");
            assertThat(await(auditor, card).get("reason").asText()).contains("card number");
            assertThat(await(auditor, secret).get("status").asText()).isEqualTo("BLOCKED");
            new JsonHttp("http://127.0.0.1:" + demoPorts.gateway()).login("admin@demo.local", "demo");
        }
    }

    /**
     * {@code plumber demo} as users run it, the jar in its own JVM: SIGTERM and Ctrl-C (SIGINT) stop it in order,
     * without a warning, an error or a stack trace, and it exits 0 with its temporary data gone.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void theDemoStopsCleanlyOnASignal(String signal, @TempDir Path dir) throws Exception {
        int[] ports = FreePorts.take(3);
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        // A build run in the background (a script's "mvn … &") passes an ignored SIGINT down to its children, and the
        // JVM keeps it ignored, as a background job should; env gives the demo the default back.
        List<String> command = new ArrayList<>(List.of(
                "env",
                "--default-signal=INT",
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m",
                "-Djava.io.tmpdir=" + tmp));
        if (Runtime.version().feature() >= 24) {
            // As ./plumber does: protobuf (under the etcd client) would warn about sun.misc.Unsafe.
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of(
                "-jar",
                Path.of("target/plumber.jar").toAbsolutePath().toString(),
                "demo",
                "--core-port",
                Integer.toString(ports[0]),
                "--gateway-port",
                Integer.toString(ports[1]),
                "--icap-port",
                Integer.toString(ports[2])));
        Path log = dir.resolve("demo.log");
        Process demo = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            Eventually.within(Duration.ofSeconds(120), () -> {
                assertThat(demo.isAlive()).as("the demo is running").isTrue();
                return assertThat(Files.readString(log)).contains("plumber demo ready");
            });
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(demo.pid())).start();
            assertThat(kill.waitFor()).isZero();
            assertThat(demo.waitFor(60, TimeUnit.SECONDS))
                    .as("stopped within 60 s")
                    .isTrue();

            String output = Files.readString(log);
            assertThat(output)
                    .contains("plumber demo stopped")
                    .doesNotContain("Bootstrap metadata")
                    .doesNotContain("WARN")
                    .doesNotContain("ERROR")
                    .doesNotContain("Exception");
            assertThat(demo.exitValue()).as("exit code; output:%n%s", output).isZero();
            try (Stream<Path> left = Files.list(tmp)) {
                assertThat(left.map(p -> p.getFileName().toString()))
                        .noneMatch(name -> name.startsWith("plumber-") || name.startsWith("kafka-"));
            }
        } finally {
            demo.destroyForcibly();
        }
    }

    private static long send(JsonHttp user, String chat, String text) throws Exception {
        return user.post("/api/v1/chats/" + chat + "/messages", "{\"text\":\"" + text + "\"}")
                .get("mid")
                .asLong();
    }

    private static JsonNode await(JsonHttp auditor, long mid) throws Exception {
        return Eventually.within(Duration.ofSeconds(60), () -> {
            JsonNode page = auditor.get("/api/v1/requests?mid=" + mid);
            assertThat(page.get("total").asLong()).isEqualTo(1);
            JsonNode row = page.get("items").get(0);
            assertThat(row.get("status").asText()).isIn("ALLOWED", "BLOCKED");
            return row;
        });
    }
}

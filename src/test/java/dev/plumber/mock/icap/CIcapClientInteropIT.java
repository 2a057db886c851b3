package dev.plumber.mock.icap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code c-icap-client} (Debian package c-icap) as an independent ICAP client of our mock (notes/icap.md): its
 * OPTIONS, a REQMOD inside the preview, one past it with {@code 100 Continue}, and blocks. It prints the ICAP and
 * encapsulated heads on stderr with {@code -v} and writes the encapsulated body to {@code -o}.
 */
@Timeout(60)
class CIcapClientInteropIT {
    private static final Path BINARY = Path.of("/usr/bin/c-icap-client");

    private static IcapMockServer mock;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("c-icap-client is not installed: run 'apt-get install -y c-icap'");
        }
        mock = IcapMockServer.start(0, MockRules.demo());
    }

    @AfterAll
    static void stop() {
        if (mock != null) {
            mock.close();
        }
    }

    @Test
    void readsTheMocksOptions() throws Exception {
        Result result = run(List.of());

        assertThat(result.heads())
                .contains("ICAP/1.0 200 OK")
                .contains("Methods: REQMOD")
                .contains("Preview: 1024")
                .contains("Allow 204: Yes")
                .contains("ISTag: \"plumber-mock-1\"");
    }

    @Test
    void aCleanMessageInsideThePreviewIsAllowedWith204() throws Exception {
        String body = "{\"sender\":\"ann@example.com\",\"text\":\"lunch at noon?\"}";

        Result result = reqmod(body, "-x", "X-Client-IP: 10.0.0.5");

        assertThat(result.heads()).contains("ICAP/1.0 204 No Content");
        IcapMockServer.RecordedRequest seen = mock.takeRequest(Duration.ofSeconds(5));
        assertThat(seen.bodyText()).isEqualTo(body);
        assertThat(seen.blockedBy()).isNull();
        assertThat(seen.request().headers().first("X-Client-IP")).isEqualTo("10.0.0.5");
        assertThat(seen.request().httpRequest().method()).isEqualTo("POST");
        assertThat(seen.request().httpRequest().headers().first("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void aCleanMessagePastThePreviewComesBackUnchangedWith200() throws Exception {
        // -no204: no Allow: 204, so after 100 Continue the mock must answer 200 with the request as it was.
        String body = "{\"text\":\"" + "lunch at noon? ".repeat(400) + "\"}";

        Result result = reqmod(body, "-no204");

        assertThat(result.heads()).contains("ICAP/1.0 200 OK").contains("Encapsulated: req-hdr=0, req-body=");
        assertThat(result.body()).isEqualTo(body);
        assertThat(mock.takeRequest(Duration.ofSeconds(5)).bodyText()).isEqualTo(body);
    }

    @Test
    void aCardNumberGetsA200WithThe403BlockPage() throws Exception {
        Result result = reqmod("{\"text\":\"card 4111 1111 1111 1111\"}");

        assertThat(result.heads())
                .contains("ICAP/1.0 200 OK")
                .contains("Encapsulated: res-hdr=0, res-body=")
                .contains("HTTP/1.1 403 Forbidden")
                .contains("X-Block-Reason: card number")
                .contains("X-Response-Info: BLOCKED");
        assertThat(result.body()).contains("Blocked by DLP").contains("card number");
        assertThat(mock.takeRequest(Duration.ofSeconds(5)).blockedBy()).isEqualTo("card number");
    }

    @Test
    void aCardNumberAfterThePreviewIsStillBlocked() throws Exception {
        Result result = reqmod("{\"text\":\"" + "x".repeat(5000) + " 4111-1111-1111-1111\"}");

        assertThat(result.heads()).contains("HTTP/1.1 403 Forbidden");
        assertThat(result.body()).contains("Blocked by DLP");
        assertThat(mock.takeRequest(Duration.ofSeconds(5)).bodyText()).endsWith("4111-1111-1111-1111\"}");
    }

    private Result reqmod(String body, String... extra) throws IOException, InterruptedException {
        Path file = dir.resolve("body.json");
        Files.writeString(file, body, StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>(List.of(
                "-req",
                "http://vkteams/",
                "-method",
                "POST",
                "-f",
                file.toString(),
                "-hx",
                "Content-Type: application/json"));
        args.addAll(List.of(extra));
        return run(args);
    }

    /** What c-icap-client printed: the heads (stderr with {@code -v}) and the encapsulated body it wrote. */
    private record Result(String heads, String body) {}

    private Result run(List<String> args) throws IOException, InterruptedException {
        Path out = dir.resolve("out.body");
        Path log = dir.resolve("heads.txt");
        Files.deleteIfExists(out);
        List<String> command = new ArrayList<>(List.of(
                BINARY.toString(),
                "-i",
                "127.0.0.1",
                "-p",
                Integer.toString(mock.port()),
                "-s",
                "request",
                "-v",
                "-o",
                out.toString()));
        command.addAll(args);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("c-icap-client did not finish: " + Files.readString(log));
        }
        String heads = Files.readString(log, StandardCharsets.ISO_8859_1);
        assertThat(process.exitValue()).as(heads).isZero();
        String body = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
        return new Result(heads, body);
    }
}

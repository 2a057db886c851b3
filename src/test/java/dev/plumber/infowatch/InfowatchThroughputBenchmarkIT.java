package dev.plumber.infowatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.mock.infowatch.InfowatchMockServer;
import dev.plumber.mock.infowatch.MockCertificate;
import dev.plumber.settings.DlpSettings;
import dev.plumber.testkit.GeneratedFileSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A benchmark of the InfoWatch sender against the push-API mock on this machine (TLS on loopback): prints messages
 * per second and file megabytes per second. It asserts only that everything arrived; the numbers are for reading.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class InfowatchThroughputBenchmarkIT {
    private static final int MESSAGES = 2_000;
    private static final int THREADS = 4;
    private static final int FILES = 4;
    private static final long FILE_SIZE = 32L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void printsMessagesPerSecondAndFileMegabytesPerSecond() throws Exception {
        GeneratedFileSource files = new GeneratedFileSource();
        try (InfowatchMockServer mock = InfowatchMockServer.start(0, MockCertificate.generate(dir), "Acme", "secret");
                InfowatchSender sender = new InfowatchSender(
                        files,
                        Duration.ofSeconds(10),
                        PluginManifest.bundled(),
                        Capture.thisHost(),
                        Clock.systemUTC(),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2));
                ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            DlpSettings settings = DlpSettings.fromMap(Map.of(
                    "system", "infowatch",
                    "address", "localhost:" + mock.port(),
                    "company", "Acme",
                    "token", "secret",
                    "imservice", "im_VKteams",
                    "caFile", mock.caFile().toString()));
            sender.send(message(0), settings); // warm-up: TLS handshake, class loading

            long start = System.nanoTime();
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 1; i <= MESSAGES; i++) {
                int n = i;
                sent.add(pool.submit(() -> sender.send(message(n), settings)));
            }
            for (Future<?> f : sent) {
                f.get();
            }
            double messageSeconds = (System.nanoTime() - start) / 1e9;

            start = System.nanoTime();
            for (int i = 0; i < FILES; i++) {
                files.put("bench-" + i, FILE_SIZE);
                sender.send(
                        new FileEvent(
                                UUID.randomUUID(),
                                "bench-" + i,
                                "bench.bin",
                                FILE_SIZE,
                                "application/octet-stream",
                                "alice@bench.local",
                                "10.0.0.5",
                                Instant.now()),
                        settings);
            }
            double fileSeconds = (System.nanoTime() - start) / 1e9;

            System.out.printf(
                    Locale.ROOT,
                    "InfoWatch benchmark: %d messages on %d threads in %.2f s = %.0f events/s; "
                            + "%d files of %d MiB in %.2f s = %.1f MB/s%n",
                    MESSAGES,
                    THREADS,
                    messageSeconds,
                    MESSAGES / messageSeconds,
                    FILES,
                    FILE_SIZE >> 20,
                    fileSeconds,
                    FILES * FILE_SIZE / 1e6 / fileSeconds);
            assertThat(mock.events()).hasSize(MESSAGES + 1 + FILES);
        }
    }

    private static MessageEvent message(int n) {
        return new MessageEvent(
                UUID.randomUUID(),
                n,
                "alice@bench.local",
                "chat-" + (n % 10),
                "group",
                "benchmark message " + n,
                null,
                "{}",
                "10.0.0.5",
                Instant.now(),
                false);
    }
}

package dev.plumber.core;

import static dev.plumber.core.CoreHarness.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plumber.core.CoreHarness.Api;
import dev.plumber.core.CoreHarness.Multipart;
import dev.plumber.core.CoreHarness.Setup;
import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.testkit.PostgresAndKafka;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A file far larger than any buffer goes up and comes back down streamed, byte for byte. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CoreLargeFileIT {
    private static final long SIZE = 200L * 1024 * 1024;

    @RegisterExtension
    static final PostgresAndKafka<EmbeddedKafka> services = PostgresAndKafka.withEmbeddedKafka();

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void a200MibFileIsUploadedAndDownloadedStreamedWithItsHashVerified() throws Exception {
        Setup setup = Setup.fresh(services.postgres(), services.bootstrapServers(), "core_large");
        try (CoreServer core =
                CoreServer.start(setup.config(dir).maxFileSize(SIZE + 1024).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            Api bob = Api.login(http, core.port(), "bob@demo.local");
            long chat = alice.createChat("personal", List.of("bob@demo.local"), null);
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            Multipart multipart = Multipart.of("dump.bin", "application/octet-stream");
            long bodyLength = multipart.head().length + SIZE + multipart.tail().length;
            List<MemoryPoolMXBean> oldPools = oldGenerationPools();
            long before = used(oldPools);
            oldPools.forEach(MemoryPoolMXBean::resetPeakUsage);

            HttpResponse<String> uploaded = http.send(
                    alice.request("/api/v1/files")
                            .header("Content-Type", multipart.contentType())
                            .POST(HttpRequest.BodyPublishers.fromPublisher(
                                    HttpRequest.BodyPublishers.ofInputStream(() -> new SequenceInputStream(
                                            new ByteArrayInputStream(multipart.head()),
                                            new SequenceInputStream(
                                                    new DigestInputStream(new Generated(SIZE), sent),
                                                    new ByteArrayInputStream(multipart.tail())))),
                                    bodyLength))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            String sentHash = HexFormat.of().formatHex(sent.digest());
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(200);
            JsonNode file = JSON.readTree(uploaded.body());
            assertThat(file.get("hash").asText()).isEqualTo(sentHash);
            assertThat(file.get("size").asLong()).isEqualTo(SIZE);
            assertThat(Files.size(dir.resolve("files").resolve(sentHash))).isEqualTo(SIZE);
            alice.post("/api/v1/chats/" + chat + "/messages", java.util.Map.of("text", "the dump", "hash", sentHash));

            HttpResponse<InputStream> download = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + core.port() + "/get/" + sentHash))
                            .header("Authorization", "Bearer " + bob.token())
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            long length = 0;
            try (InputStream body = download.body()) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = body.read(buffer)) != -1; ) {
                    received.update(buffer, 0, n);
                    length += n;
                }
            }

            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.headers().firstValueAsLong("Content-Length")).hasValue(SIZE);
            assertThat(length).isEqualTo(SIZE);
            assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(sentHash);
            // A copy of the file in memory would be one array of 200 MiB, allocated straight in the old generation;
            // streamed, the old generation grows by far less than the file while both transfers run.
            assertThat(peak(oldPools) - before)
                    .as("old generation growth during the transfers (bytes)")
                    .isLessThan(SIZE * 3 / 4);
        }
    }

    private static List<MemoryPoolMXBean> oldGenerationPools() {
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .filter(p -> p.getName().contains("Old") || p.getName().contains("Tenured"))
                .toList();
        assertThat(pools).as("an old-generation heap pool to watch").isNotEmpty();
        return pools;
    }

    private static long used(List<MemoryPoolMXBean> pools) {
        return pools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
    }

    private static long peak(List<MemoryPoolMXBean> pools) {
        return pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    /** {@code size} pseudo-random bytes made as they are read; nothing is kept. */
    private static final class Generated extends InputStream {
        private final SplittableRandom random = new SplittableRandom(42);
        private long remaining;

        Generated(long size) {
            this.remaining = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (remaining == 0) {
                return -1;
            }
            int n = (int) Math.min(length, remaining);
            for (int i = 0; i < n; i += 8) {
                long word = random.nextLong();
                for (int j = 0; j < 8 && i + j < n; j++) {
                    buffer[offset + i + j] = (byte) (word >>> (8 * j));
                }
            }
            remaining -= n;
            return n;
        }
    }
}

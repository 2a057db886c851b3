package dev.plumber.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plumber.core.CoreConfig;
import dev.plumber.core.CoreServer;
import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Send latency and throughput of the messenger core, open loop: {@code POST /api/v1/chats/{id}/messages} at a fixed
 * target rate from N concurrent senders, against an embedded Kafka and PostgreSQL in this JVM's machine; once with
 * {@code gbld.check_dlp_sync} on (the event is produced and acknowledged inside each send), once with the outbox.
 *
 * <p>Each mode is warmed up at the target rate first: Kafka, Jetty, the JDBC driver and the core are a lot of code
 * for the JIT, and on two cores a compiler still at work takes a core from the request path (10 s of warm-up left C2
 * busy half of the time and the sync p99 ten times higher). Warm-up goes on until compiling calms down; the compile
 * time spent while measuring is printed with the figures.
 *
 * <p>Latency is measured from each message's scheduled start, not from when a sender got round to it, so a core
 * that falls behind the rate shows it in the percentiles (no coordinated omission).
 *
 * <pre>
 * ./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) dev.plumber.bench.CoreSendBenchmark \
 *     [--rate 1000] [--seconds 30] [--warmup 30] [--senders 64]
 * </pre>
 */
public final class CoreSendBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int rate;
    private final Duration measured;
    private final Duration warmup;
    private final int senders;

    private CoreSendBenchmark(int rate, Duration measured, Duration warmup, int senders) {
        this.rate = rate;
        this.measured = measured;
        this.warmup = warmup;
        this.senders = senders;
    }

    public static void main(String[] args) throws Exception {
        Map<String, Integer> options =
                new java.util.HashMap<>(Map.of("--rate", 1000, "--seconds", 30, "--warmup", 30, "--senders", 64));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!options.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
            options.put(args[i], Integer.parseInt(args[i + 1]));
        }
        CoreSendBenchmark bench = new CoreSendBenchmark(
                options.get("--rate"),
                Duration.ofSeconds(options.get("--seconds")),
                Duration.ofSeconds(options.get("--warmup")),
                options.get("--senders"));
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start();
                EmbeddedKafka kafka = EmbeddedKafka.start()) {
            List<Result> results = new ArrayList<>();
            try (Target sync = bench.prepare(postgres, kafka, "sync", true);
                    Target outbox = bench.prepare(postgres, kafka, "outbox", false)) {
                // Both modes run the same request code: warming both up before measuring either keeps the JIT's
                // progress from favouring whichever mode is measured second.
                for (Target target : List.of(sync, outbox)) {
                    System.out.printf(Locale.ROOT, "%s: warming up for %d s%n", target.mode, bench.warmup.toSeconds());
                    bench.drive(target, bench.warmup);
                }
                bench.untilCompiled(List.of(sync, outbox));
                for (Target target : List.of(sync, outbox)) {
                    System.out.printf(Locale.ROOT, "%s: measuring for %d s%n", target.mode, bench.measured.toSeconds());
                    results.add(bench.drive(target, bench.measured));
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "%ncore send benchmark: target %d msg/s, %d senders, %d s measured after %d s warm-up, %d cores%n",
                    bench.rate,
                    bench.senders,
                    bench.measured.toSeconds(),
                    bench.warmup.toSeconds(),
                    Runtime.getRuntime().availableProcessors());
            System.out.println("mode    messages  errors   msg/s   p50 ms   p99 ms  p99.9 ms   max ms  JIT ms");
            results.forEach(r -> System.out.println(r.line()));
        }
        System.exit(0);
    }

    /** A running core with a logged-in sender per chat. */
    private record Target(String mode, CoreServer core, HttpClient http, List<HttpRequest.Builder> sends)
            implements AutoCloseable {
        @Override
        public void close() {
            core.close();
        }
    }

    private Target prepare(EmbeddedPostgres postgres, EmbeddedKafka kafka, String mode, boolean sync) throws Exception {
        String database = "core_bench_" + mode;
        String topic = "dlp.requests.bench." + mode;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        Path dir = Files.createTempDirectory("core-bench-");
        CoreConfig.Builder config = CoreConfig.builder()
                .port(0)
                .bootstrapServers(kafka.bootstrapServers())
                .requestsTopic(topic)
                .journalTopics(topic + ".admin", topic + ".system")
                .statusTopic(topic + ".status")
                .groupId("core-bench-" + mode)
                .store(postgres.createDatabase(database), postgres.user(), "")
                .keyFile(dir.resolve("core-message.key"))
                .filesDir(dir.resolve("files"))
                .passwordIterations(1_000)
                .messages(true, sync)
                .files(true, sync);
        for (int i = 0; i < senders; i++) {
            config.account("sender" + i + "@bench.local", "bench", "user");
        }
        CoreServer core = CoreServer.start(config.build());
        try {
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<HttpRequest.Builder> sends = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                String token = login(http, core.port(), "sender" + i + "@bench.local");
                long chat = createChat(http, core.port(), token, "sender" + ((i + 1) % senders) + "@bench.local");
                sends.add(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + core.port() + "/api/v1/chats/" + chat + "/messages"))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json"));
            }
            return new Target(mode, core, http, sends);
        } catch (Exception | Error e) {
            core.close();
            throw e;
        }
    }

    /** Goes on warming both modes up, 5 s each in turn, until the JIT has settled ({@link Warmup}). */
    private void untilCompiled(List<Target> targets) throws Exception {
        for (Warmup w = Warmup.here("core"); w.another(); ) {
            for (Target target : targets) {
                drive(target, Duration.ofSeconds(5));
            }
        }
    }

    /** Sends at {@code rate} for {@code length}: message k is due at start + k/rate, whichever sender is free. */
    private Result drive(Target target, Duration length) throws Exception {
        long compiling = Warmup.compileMillis();
        HttpClient http = target.http();
        List<HttpRequest.Builder> sends = target.sends();
        long total = length.toSeconds() * rate;
        long start = System.nanoTime() + 50_000_000L;
        AtomicLong next = new AtomicLong();
        long[][] latencies = new long[senders][];
        long[] errors = new long[senders];
        long[] lastEnd = new long[senders];
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            threads.add(Thread.ofPlatform().name("sender-" + s).start(() -> {
                long[] mine = new long[(int) (total / senders + 2) * 2];
                int count = 0;
                for (long k; (k = next.getAndIncrement()) < total; ) {
                    long due = start + k * 1_000_000_000L / rate;
                    for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                        LockSupport.parkNanos(wait);
                    }
                    int status = send(http, sends.get(sender), k);
                    long end = System.nanoTime();
                    if (status != 200) {
                        errors[sender]++;
                    }
                    if (count == mine.length) {
                        mine = Arrays.copyOf(mine, count * 2);
                    }
                    mine[count++] = end - due;
                    lastEnd[sender] = end;
                }
                latencies[sender] = Arrays.copyOf(mine, count);
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        long[] all =
                Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        long end = Arrays.stream(lastEnd).max().orElse(start);
        return new Result(
                target.mode(),
                all,
                Arrays.stream(errors).sum(),
                (end - start) / 1e9,
                Warmup.compileMillis() - compiling);
    }

    private static int send(HttpClient http, HttpRequest.Builder request, long k) {
        try {
            return http.send(
                            request.copy()
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"text\":\"benchmark message " + k + ": nothing secret here\"}"))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String login(HttpClient http, int port, String email) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/login"))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                JSON.writeValueAsString(Map.of("email", email, "password", "bench"))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).get("token").asText();
    }

    private static long createChat(HttpClient http, int port, String token, String with) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/chats"))
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                JSON.writeValueAsString(Map.of("type", "personal", "members", List.of(with)))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).get("id").asLong();
    }

    /** One mode's figures; latencies sorted, in nanoseconds. */
    private record Result(String mode, long[] latencies, long errors, double seconds, long compileMillis) {
        String line() {
            return String.format(
                    Locale.ROOT,
                    "%-7s %9d %7d %7.0f %8.2f %8.2f %9.2f %8.2f %7d",
                    mode,
                    latencies.length,
                    errors,
                    latencies.length / seconds,
                    ms(0.50),
                    ms(0.99),
                    ms(0.999),
                    latencies.length == 0 ? 0 : latencies[latencies.length - 1] / 1e6,
                    compileMillis);
        }

        private double ms(double quantile) {
            if (latencies.length == 0) {
                return 0;
            }
            int index = (int) Math.min(latencies.length - 1, Math.ceil(quantile * latencies.length) - 1);
            return latencies[Math.max(0, index)] / 1e6;
        }
    }
}

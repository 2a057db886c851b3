package dev.plumber.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariDataSource;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.event.DlpEvent;
import dev.plumber.gateway.Connections;
import dev.plumber.settings.Durations;
import dev.plumber.settings.GatewayConfig;
import dev.plumber.status.ContentCipher;
import dev.plumber.status.KafkaCoordinates;
import dev.plumber.status.Status;
import dev.plumber.status.StatusStore;
import dev.plumber.status.StatusStore.Change;
import dev.plumber.status.TermsMerger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The status store alone against PostgreSQL ({@code scripts/bench store}): the gateway's status writes — each a small
 * message's decision, from a virtual thread of its own as in the gateway — paced at a steady rate, with no broker,
 * c-icap or gateway JVM beside them. It measures how long each write waited until durable, the flushes, and the CPU
 * PostgreSQL and this JVM spent per event, so that a change to the schema, the flush or the terms' merging is measured
 * on its own. Variants of how often the terms are merged alternate in rounds on the same database, each round's order
 * the reverse of the one before, so the table's growth favours neither.
 */
final class StoreBench {
    private static final String USAGE =
            """
            usage: scripts/bench store [--rate 4000] [--tick 1ms] [--seconds 20] [--rounds 3] [--merge-every 1s,250ms]
              --rate         status writes a second
              --tick         how often the writes due are started: 1ms is a smooth stream, 10ms the bursts of a
                             consumer's fetches that wait their longest
              --seconds      the length of each timed round
              --rounds       rounds of every variant, alternating
              --merge-every  how often the terms' pending list is merged, one variant each (ms or s, e.g. 250ms, 1s)
            """;

    private StoreBench() {}

    static void run(String[] args) throws Exception {
        int rate = 4_000;
        Duration tick = Duration.ofMillis(1);
        int seconds = 20;
        int rounds = 3;
        List<Duration> variants = List.of(Duration.ofSeconds(1), Duration.ofMillis(250));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--tick" -> tick = Durations.parse(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--merge-every" ->
                    variants = Arrays.stream(args[++i].split(","))
                            .map(Durations::parse)
                            .toList();
                default -> {
                    System.err.print(USAGE);
                    System.exit(args[i].equals("--help") ? 0 : 2);
                }
            }
        }
        Path out = Path.of("target", "bench").toAbsolutePath();
        String stamp = Bench.stamp();
        Path run = Files.createDirectories(out.resolve("store-" + stamp));
        List<Round> results = new ArrayList<>();
        try (EmbeddedPostgres postgres = Bench.startPostgres();
                HikariDataSource dataSource = Connections.dataSource(
                        new GatewayConfig.Store(postgres.createDatabase("store_bench"), postgres.user(), ""))) {
            StatusStore.migrate(dataSource);
            ContentCipher cipher = ContentCipher.fromKeyFile(run.resolve("content.key"), new SecureRandom());
            Flushes flushes = new Flushes();
            try (StatusStore store = new StatusStore(
                    dataSource, Clock.systemUTC(), cipher, (op, rows, queued, nanos) -> flushes.add(op, rows, nanos))) {
                ProcessCpu.Compilers compilers = new ProcessCpu.Compilers();
                AtomicLong next = new AtomicLong();
                try (TermsMerger merger = TermsMerger.start(dataSource, variants.getFirst())) {
                    for (Warmup w = Warmup.of("store", compilers); w.another(); ) {
                        pace(store, next, rate, tick, Duration.ofSeconds(2));
                    }
                }
                for (int r = 1; r <= rounds; r++) {
                    List<Duration> order = new ArrayList<>(variants);
                    if (r % 2 == 0) {
                        order = order.reversed();
                    }
                    for (Duration every : order) {
                        GatewayRun.vacuum(dataSource);
                        String name = "round " + r + ", merged every " + every.toMillis() + " ms";
                        flushes.reset();
                        try (TermsMerger merger = TermsMerger.start(dataSource, every)) {
                            ProcessCpu.Phase phase = new ProcessCpu.Phase(compilers);
                            long start = System.nanoTime();
                            long[] waits = pace(store, next, rate, tick, Duration.ofSeconds(seconds));
                            double elapsed = (System.nanoTime() - start) / 1e9;
                            Map<String, Long> cpu = phase.end(name);
                            Round result = new Round(r, every.toMillis(), waits, elapsed, flushes.snapshot(), cpu);
                            results.add(result);
                            System.err.println("bench: " + name + ": " + result.line());
                        }
                    }
                }
            }
        }
        System.out.print(table(results, rate, tick, variants));
        Path json = out.resolve("store-" + stamp + ".json");
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(json.toFile(), new Result(rate, tick.toNanos() / 1e6, seconds, results));
        System.out.println("written " + json);
    }

    /**
     * Writes {@code rate} decisions a second for {@code length}, each from a virtual thread of its own started at the
     * first tick it is due, and returns each write's wait in microseconds, from the call to its return (durable).
     */
    private static long[] pace(StatusStore store, AtomicLong next, int rate, Duration tick, Duration length)
            throws Exception {
        int events = (int) (rate * length.toNanos() / 1_000_000_000L);
        long[] waits = new long[events];
        AtomicInteger failed = new AtomicInteger();
        Instant ts = Instant.now();
        try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            Pacing.run(events, rate, tick, slot -> {
                long i = next.getAndIncrement();
                DlpEvent event = Mix.SMALL.event(i, ts);
                KafkaCoordinates at = new KafkaCoordinates("dlp.requests", (int) (i % 3), i / 3);
                writers.submit(() -> {
                    long begin = System.nanoTime();
                    try {
                        store.write(event, at, Instant.now(), decision());
                    } catch (SQLException e) {
                        failed.incrementAndGet();
                    }
                    waits[slot] = (System.nanoTime() - begin) / 1_000;
                });
            });
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " status writes failed");
        }
        return waits;
    }

    /** An event's decision as the gateway writes it for a DLP call answered at once: its one status write. */
    private static Change decision() {
        return Change.decided(Status.ALLOWED, null, null, null).attempt("icap", "icap://127.0.0.1:1344/echo");
    }

    /** The write flushes of a round: how many rows each held and how long its statements took. */
    private static final class Flushes {
        private final List<long[]> flushes = new ArrayList<>();

        synchronized void add(String op, int rows, long nanos) {
            if (op.equals("write")) {
                flushes.add(new long[] {rows, nanos / 1_000});
            }
        }

        synchronized void reset() {
            flushes.clear();
        }

        synchronized long[][] snapshot() {
            return flushes.toArray(long[][]::new);
        }
    }

    /** The JSON of a run. */
    record Result(int rate, double tickMs, int seconds, List<Round> rounds) {}

    /** One timed round of one variant. */
    record Round(
            int round,
            long mergeEveryMs,
            double eventsPerSecond,
            double waitP50Ms,
            double waitP99Ms,
            double waitMaxMs,
            int flushes,
            double rowsPerFlush,
            double flushP99Ms,
            double postgresCpuMsPerEvent,
            double clientCpuMsPerEvent) {
        Round(int round, long mergeEveryMs, long[] waits, double seconds, long[][] flushes, Map<String, Long> cpu) {
            this(
                    round,
                    mergeEveryMs,
                    waits.length / seconds,
                    Percentiles.millis(waits, 0.50),
                    Percentiles.millis(waits, 0.99),
                    Arrays.stream(waits).max().orElse(0) / 1e3,
                    flushes.length,
                    Arrays.stream(flushes).mapToLong(f -> f[0]).average().orElse(0),
                    Percentiles.millis(
                            Arrays.stream(flushes).mapToLong(f -> f[1]).toArray(), 0.99),
                    cpu.get(ProcessCpu.POSTGRES) / 1e6 / waits.length,
                    cpu.get(ProcessCpu.BENCH) / 1e6 / waits.length);
        }

        String line() {
            return String.format(
                    Locale.ROOT,
                    "%,.0f writes/s, waits p50 %.1f / p99 %.1f / max %.1f ms, %,d flushes of %.1f rows (p99 %.1f ms),"
                            + " CPU per event PostgreSQL %.3f ms, this JVM %.3f ms",
                    eventsPerSecond,
                    waitP50Ms,
                    waitP99Ms,
                    waitMaxMs,
                    flushes,
                    rowsPerFlush,
                    flushP99Ms,
                    postgresCpuMsPerEvent,
                    clientCpuMsPerEvent);
        }
    }

    private static String table(List<Round> rounds, int rate, Duration tick, List<Duration> variants) {
        StringBuilder t = new StringBuilder(String.format(
                Locale.ROOT,
                "status store alone, %,d writes/s started every %s ms, %d cores%n%n",
                rate,
                tick.toNanos() / 1e6,
                Runtime.getRuntime().availableProcessors()));
        t.append("| terms merged every | round | writes/s | write waits p50 / p99 / max ms | flushes | rows per flush"
                + " | flush p99 ms | PostgreSQL CPU ms/event | this JVM CPU ms/event |\n");
        t.append("|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        Map<Long, List<Round>> byVariant = new LinkedHashMap<>();
        variants.forEach(v -> byVariant.put(v.toMillis(), new ArrayList<>()));
        rounds.forEach(r -> byVariant.get(r.mergeEveryMs()).add(r));
        byVariant.forEach((every, list) -> list.forEach(r -> t.append(String.format(
                Locale.ROOT,
                "| %,d ms | %d | %,.0f | %.1f / %.1f / %.1f | %,d | %.1f | %.1f | %.3f | %.3f |%n",
                every,
                r.round(),
                r.eventsPerSecond(),
                r.waitP50Ms(),
                r.waitP99Ms(),
                r.waitMaxMs(),
                r.flushes(),
                r.rowsPerFlush(),
                r.flushP99Ms(),
                r.postgresCpuMsPerEvent(),
                r.clientCpuMsPerEvent()))));
        return t.toString();
    }
}

package dev.plumber.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.testkit.CIcapServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The end-to-end benchmark ({@code scripts/bench}): real Kafka, PostgreSQL and c-icap, the gateway in its own JVM,
 * and the ceiling — our ICAP client alone against the same service — measured back to back in the same run. Prints a
 * table and writes {@code target/bench/<timestamp>.json}; the run's logs, latency files and recordings go to {@code
 * target/bench/<timestamp>/}.
 */
public final class Bench {
    private static final String USAGE =
            """
            usage: scripts/bench [--mix small,files100k,files10m,file1g] [--events N] [--service echo|filter]
                                 [--connections 16] [--concurrency 64] [--gateway-heap SIZE]
                                 [--gateway-jvm 'OPTION ...'] [--jfr]
                   scripts/bench store [...]   the status store alone against PostgreSQL (see its --help)
                   scripts/bench steps [...]   a small message's steps that need no service, each alone (--help)
                   scripts/bench ab REV [--pairs 2] [...]   this tree's build against REV's, runs alternating
                   scripts/bench compare BUILD=RUN.json ...   runs' figures side by side (what ab prints)
              --mix          work mixes to run, in order (default: small)
              --events       events per mix (default: small 100000, files100k 20000, files10m 5000, file1g 1)
              --service      c-icap's echo service, or its content filter (a regex DLP that really looks)
              --connections  ICAP connections of the ceiling's client (the gateway's pool is 16)
              --concurrency  the ceiling's concurrent calls (the gateway's bulkhead is 64)
              --gateway-heap the gateway's -Xmx for every mix (default: 256m, 128m for file1g)
              --gateway-jvm  more options for the gateway's JVM, separated by spaces (e.g. '-XX:+UseSerialGC')
              --jfr          record the gateway's and the ceiling's timed phases with Java Flight Recorder into
                             gateway-<mix>.jfr and ceiling-<mix>.jfr in the run's folder, target/bench/<timestamp>/
            """;

    private Bench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("store")) {
            StoreBench.run(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("steps")) {
            StepsBench.run(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("compare")) {
            BenchCompare.run(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        List<Mix> mixes = List.of(Mix.SMALL);
        Integer events = null;
        String serviceName = "echo";
        int connections = 16;
        int concurrency = 64;
        boolean jfr = false;
        String gatewayHeap = null;
        List<String> gatewayJvm = List.of();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mix" ->
                    mixes = Arrays.stream(args[++i].split(",")).map(Mix::named).toList();
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--service" -> serviceName = args[++i];
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--jfr" -> jfr = true;
                case "--gateway-heap" -> gatewayHeap = args[++i];
                case "--gateway-jvm" -> gatewayJvm = List.of(args[++i].trim().split("\\s+"));
                default -> {
                    System.err.print(USAGE);
                    System.exit(args[i].equals("--help") ? 0 : 2);
                }
            }
        }
        if (!serviceName.equals("echo") && !serviceName.equals("filter")) {
            System.err.print(USAGE);
            System.exit(2);
        }
        Path out = Path.of("target", "bench").toAbsolutePath();
        String stamp = stamp();
        // The run's configuration, logs, latency files and recordings, kept for a closer look beside its JSON.
        Path run = Files.createDirectories(out.resolve(stamp));
        System.err.println("bench: logs, latency files and recordings in " + run);
        List<Row> rows = new ArrayList<>();
        Map<String, Long> idleAlone;
        try (EmbeddedPostgres postgres = startPostgres();
                BrokerJvm kafka = BrokerJvm.start(run);
                CIcapServer cIcap = CIcapServer.start();
                FileServer files = FileServer.start()) {
            URI service = serviceName.equals("echo") ? cIcap.echoServiceUri() : cIcap.dlpServiceUri();
            for (Mix named : mixes) {
                Mix mix = gatewayHeap == null ? named : named.withGatewayHeap(gatewayHeap);
                int n = named == Mix.FILE_1G ? 1 : events == null ? mix.defaultEvents() : events;
                System.err.printf("bench: %s, %d events, gateway ...%n", mix.name(), n);
                GatewayRun.Result gateway = new GatewayRun(
                                mix,
                                "bench_" + mix.name(),
                                kafka.bootstrapServers(),
                                postgres,
                                run,
                                service,
                                files.url(),
                                gatewayJvm,
                                jfr)
                        .run(n);
                System.err.printf("bench: %s, ceiling ...%n", mix.name());
                Ceiling.Result ceiling = Ceiling.run(
                        mix,
                        mix.warmup(),
                        n,
                        service,
                        files.url(),
                        connections,
                        concurrency,
                        jfr ? run.resolve("ceiling-" + mix.name() + ".jfr") : null);
                rows.add(new Row(mix, gateway, ceiling));
            }
            idleAlone = GatewayRun.idle("no gateway", new ProcessCpu.Compilers());
        }
        String table = table(rows, idleAlone, serviceName);
        System.out.print(table);
        Path json = out.resolve(stamp + ".json");
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(json.toFile(), json(rows, idleAlone, serviceName, connections, concurrency, gatewayJvm));
        System.out.println("written " + json);
    }

    /**
     * The benchmarks' PostgreSQL, its CPU counted. Its files are in memory where the machine has a memory file system:
     * the benchmark measures the gateway, not how this VM's disk journal stalls a write now and then (it did, for
     * 100-600 ms at a time). Its buffers are as a server for this would have them: with the default 128 MB, which the
     * status table and its indexes outgrow within minutes, autovacuum's pass over the table read it through the page
     * cache for 10 s and the status writes beside it took 40-530 ms. A commit writes its WAL before it returns, as
     * PostgreSQL's default has it and a status the gateway calls durable needs (the demo's and the tests' server
     * commits asynchronously); with {@code fsync} off, nothing waits for a disk.
     */
    static EmbeddedPostgres startPostgres() throws IOException {
        Path shm = Path.of("/dev/shm");
        EmbeddedPostgres postgres = EmbeddedPostgres.start(
                Files.isDirectory(shm) ? Files.createTempDirectory(shm, "plumber-bench-pg-") : null,
                Map.of("shared_buffers", "1GB", "synchronous_commit", "on"));
        ProcessCpu.postgresOn(URI.create(postgres.jdbcUrl("postgres").substring("jdbc:".length()))
                        .getPort())
                .ifPresentOrElse(
                        pg -> ProcessCpu.count(pg, ProcessCpu.POSTGRES),
                        () -> System.err.println("bench: PostgreSQL's CPU not found"));
        return postgres;
    }

    /** A run's name: when it started, in UTC. */
    static String stamp() {
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(ZoneOffset.UTC)
                .format(Instant.now());
    }

    private record Row(Mix mix, GatewayRun.Result gateway, Ceiling.Result ceiling) {
        private static final int CORES = Runtime.getRuntime().availableProcessors();

        /**
         * The least CPU, all processes together, counted over a timed run for the figures drawn from it: the kernel
         * counts each process's CPU in 10 ms ticks, so that a 1 GiB file answered after its preview (2 ms) read as 522 %
         * busy. Over 2 s, a tick per process is a few per cent at most.
         */
        private static final double MIN_CPU_SECONDS = 2;

        /** The share of the machine's cores that all processes used in the gateway's timed run (NaN if too little). */
        double gatewayBusy() {
            return busy(gateway.pipelineCpuSecondsPerEvent(), gateway.perSecond(), gateway.seconds());
        }

        double ceilingBusy() {
            return busy(ceiling.pipelineCpuSecondsPerEvent(), ceiling.perSecond(), ceiling.seconds());
        }

        /** All processes' CPU seconds a second over the cores, or NaN for too little CPU counted to tell. */
        private static double busy(double cpuSecondsPerEvent, double perSecond, double seconds) {
            double cpuSecondsPerSecond = cpuSecondsPerEvent * perSecond;
            return cpuSecondsPerSecond * seconds < MIN_CPU_SECONDS ? Double.NaN : cpuSecondsPerSecond / CORES;
        }

        /**
         * Gateway ÷ ceiling, or NaN when the two did different work: the DLP read one side's files whole and answered
         * the other's after the preview (c-icap's echo service does either), as the 1 GiB file's sides may be.
         */
        double ratio() {
            double gatewayRead = gateway.dlpBodyMiBPerSecond() / gateway.perSecond();
            double ceilingRead = ceiling.dlpBodyMiBPerSecond() / ceiling.perSecond();
            boolean alike =
                    !mix.hasFiles() || Math.max(gatewayRead, ceilingRead) <= 2 * Math.min(gatewayRead, ceilingRead);
            return alike ? gateway.perSecond() / ceiling.perSecond() : Double.NaN;
        }

        /**
         * The gateway's rate with every core busy at its run's CPU per event, over the ceiling's rate; NaN when the two
         * sides did different work, as the ratio, or when the run's CPU was too little to tell, as how busy it kept the
         * cores.
         */
        double ratioCpuAllows() {
            return cpuAllows(gateway.pipelineCpuSecondsPerEvent());
        }

        /** As {@link #ratioCpuAllows}, with only the other processes' CPU per event: the broker, PostgreSQL, c-icap… */
        double ratioCpuAllowsGatewayFree() {
            return cpuAllows(gateway.pipelineCpuSecondsPerEvent() - gateway.cpuSecondsPerEvent());
        }

        private double cpuAllows(double cpuSecondsPerEvent) {
            return Double.isNaN(ratio()) || Double.isNaN(gatewayBusy())
                    ? Double.NaN
                    : CORES / cpuSecondsPerEvent / ceiling.perSecond();
        }

        double mebibytesPerEvent() {
            return mix.hasFiles() ? (double) mix.fileBytes() / mix.filesEvery() / (1 << 20) : 0;
        }

        /** "files' MiB/s (MiB/s the DLP read)" for a side's event rate, or a dash for a mix without files. */
        String fileRate(double eventsPerSecond, double readMiBPerSecond) {
            return mix.hasFiles()
                    ? String.format(
                            Locale.ROOT, "%,.0f (%,.0f)", eventsPerSecond * mebibytesPerEvent(), readMiBPerSecond)
                    : "–";
        }
    }

    private static String table(List<Row> rows, Map<String, Long> idleAlone, String service) {
        StringBuilder t = new StringBuilder();
        t.append("c-icap ")
                .append(service)
                .append(", ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores\n\n");
        t.append("| mix | events | gateway ev/s | ceiling ev/s | gateway ÷ ceiling"
                + " | gateway MiB/s (read by the DLP) | ceiling MiB/s (read by the DLP)"
                + " | DLP call p50 / p99 ms (gateway) | (ceiling) | end to end p50 / p99 ms (at ev/s, machine busy; status store waits)"
                + " | gateway CPU ms/event | all processes CPU ms/event (gateway run / ceiling run)"
                + " | gateway peak heap MiB | gateway peak RSS MiB |\n");
        t.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (Row r : rows) {
            GatewayRun.Result g = r.gateway();
            Ceiling.Result c = r.ceiling();
            t.append(String.format(
                    Locale.ROOT,
                    "| %s | %,d | %,.0f | %,.0f | %s | %s | %s | %.1f / %.1f | %.1f / %.1f | %s | %.3f | %.3f / %.3f | %s | %d |%n",
                    r.mix().name(),
                    g.events(),
                    g.perSecond(),
                    c.perSecond(),
                    Double.isNaN(r.ratio())
                            ? "– (the DLP read one side's files whole, the other's preview)"
                            : String.format(Locale.ROOT, "%.2f", r.ratio()),
                    r.fileRate(g.perSecond(), g.dlpBodyMiBPerSecond()),
                    r.fileRate(c.perSecond(), c.dlpBodyMiBPerSecond()),
                    g.dlpP50Ms(),
                    g.dlpP99Ms(),
                    Percentiles.of(c.callNanos(), 0.50) / 1e6,
                    Percentiles.of(c.callNanos(), 0.99) / 1e6,
                    g.latencyEvents() == 0
                            ? "–"
                            : String.format(
                                    Locale.ROOT,
                                    "%.1f / %.1f (%,.0f, machine %.0f %% busy; status store waits %s lookup, %s"
                                            + " write, its flushes of %.1f rows waited %s and took %s)",
                                    g.e2eP50Ms(),
                                    g.e2eP99Ms(),
                                    g.latencyRate(),
                                    g.latencyMachineBusy() * 100,
                                    waits(g.lookupP50Ms(), g.lookupP99Ms()),
                                    waits(g.writeP50Ms(), g.writeP99Ms()),
                                    g.rowsPerFlush(),
                                    waits(g.queueP50Ms(), g.queueP99Ms()),
                                    waits(g.flushP50Ms(), g.flushP99Ms())),
                    g.cpuSecondsPerEvent() * 1000,
                    g.pipelineCpuSecondsPerEvent() * 1000,
                    c.pipelineCpuSecondsPerEvent() * 1000,
                    g.peakHeapBytes() == 0 ? "no GC" : Long.toString(g.peakHeapBytes() >> 20),
                    g.peakRssBytes() >> 20));
        }
        if (rows.stream().anyMatch(r -> r.gateway().latencyEvents() > 0)) {
            t.append(
                    "\nEnd to end at half rate, and at a trickle, by stage, p50 / p99 ms: event produced → a worker takes it in (the broker,"
                            + " the fetch, its key's turn) → decided (the DLP call) → its status durable and published\n\n"
                            + "| mix | to a worker | to the decision | to durable | end to end |\n|---|--:|--:|--:|--:|\n");
            for (Row r : rows) {
                stages(t, r.mix().name(), r.gateway().endToEnd());
                stages(
                        t,
                        r.mix().name() + ", at " + GatewayRun.TRICKLE_RATE + " ev/s",
                        r.gateway().trickle());
            }
        }
        t.append(
                "\nCPU ms per event by process, gateway run (ceiling run); at half rate, the gateway's paced phase\n\n");
        roleHeader(t, rows.getFirst().gateway().cpuNanosByRole().keySet());
        for (Row r : rows) {
            t.append("| ").append(r.mix().name()).append(" |");
            Map<String, Long> ceiling = r.ceiling().cpuNanosByRole();
            r.gateway()
                    .cpuNanosByRole()
                    .forEach((role, nanos) -> t.append(String.format(
                            Locale.ROOT,
                            " %.3f (%.3f) |",
                            nanos / 1e6 / r.gateway().events(),
                            ceiling.getOrDefault(role, 0L) / 1e6 / r.ceiling().calls())));
            t.append('\n');
            if (r.gateway().latencyEvents() > 0) {
                roleRow(
                        t,
                        r.mix().name() + ", at half rate",
                        msPer(r.gateway().latencyCpuNanosByRole(), r.gateway().latencyEvents()),
                        "%.3f");
            }
        }
        t.append(String.format(
                Locale.ROOT,
                "%nCPU ms a second by process with no events coming, over %d s from %d s after the last"
                        + " one: with a gateway, its fetches that wait for events, its commits and merges; without"
                        + " one, the services by themselves%n%n",
                GatewayRun.IDLE.toSeconds(),
                GatewayRun.IDLE_SETTLE.toSeconds()));
        roleHeader(t, idleAlone.keySet());
        rows.forEach(r -> roleRow(t, r.mix().name(), perSecondMs(r.gateway().idleCpuNanosByRole()), "%.1f"));
        roleRow(t, "no gateway, after the last mix", perSecondMs(idleAlone), "%.1f");
        t.append(
                "\nWhat the machine's CPU allows: how busy it was in each timed run (all processes' CPU over the cores),"
                        + " and the highest gateway ÷ ceiling that its cores allow at the CPU per event measured, with the"
                        + " gateway's own and were it free\n\n"
                        + "| mix | machine busy, gateway run / ceiling run | gateway ÷ ceiling at most | … with the gateway's CPU"
                        + " at zero |\n|---|--:|--:|--:|\n");
        for (Row r : rows) {
            t.append(String.format(
                    Locale.ROOT,
                    "| %s | %s / %s | %s | %s |%n",
                    r.mix().name(),
                    orDash("%.0f %%", r.gatewayBusy() * 100),
                    orDash("%.0f %%", r.ceilingBusy() * 100),
                    orDash("%.2f", r.ratioCpuAllows()),
                    orDash("%.2f", r.ratioCpuAllowsGatewayFree())));
        }
        for (Row r : rows) {
            if (r.gateway().failed() > 0) {
                t.append("warning: ")
                        .append(r.mix().name())
                        .append(": ")
                        .append(r.gateway().failed())
                        .append(" events FAILED\n");
            }
        }
        return t.toString();
    }

    /** {@code figure} in {@code format}, or a dash when there is none (NaN). */
    private static String orDash(String format, double figure) {
        return Double.isNaN(figure) ? "–" : String.format(Locale.ROOT, format, figure);
    }

    /** A wait's p50 / p99 in ms, or a dash when nothing waited (lookups are made only for possible re-deliveries). */
    private static String waits(double p50Ms, double p99Ms) {
        return Double.isNaN(p50Ms) ? "–" : String.format(Locale.ROOT, "%.1f / %.1f", p50Ms, p99Ms);
    }

    /** A row of the latency by stage, unless the phase had no events. */
    private static void stages(StringBuilder t, String label, GatewayRun.EndToEnd e) {
        if (e.total().length > 0) {
            t.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s |%n",
                    label,
                    stage(e.toWorker()),
                    stage(e.toDecision()),
                    stage(e.toDurable()),
                    stage(e.total())));
        }
    }

    /** p50 / p99 of one stage's microseconds, in milliseconds. */
    private static String stage(long[] micros) {
        return waits(Percentiles.millis(micros, 0.50), Percentiles.millis(micros, 0.99));
    }

    /** The head of a table with a column per process. */
    private static void roleHeader(StringBuilder t, Collection<String> roles) {
        t.append("| mix | ")
                .append(String.join(" | ", roles))
                .append(" |\n|---|")
                .append("--:|".repeat(roles.size()))
                .append('\n');
    }

    /** A row of such a table: {@code label}, then each process's figure in {@code format}. */
    private static void roleRow(StringBuilder t, String label, Map<String, Double> byRole, String format) {
        t.append("| ").append(label).append(" |");
        byRole.forEach((role, figure) ->
                t.append(' ').append(String.format(Locale.ROOT, format, figure)).append(" |"));
        t.append('\n');
    }

    /** CPU by role in milliseconds per one of {@code count}: per event, or per second of a phase's seconds. */
    private static Map<String, Double> msPer(Map<String, Long> nanosByRole, double count) {
        Map<String, Double> ms = new LinkedHashMap<>();
        nanosByRole.forEach((role, nanos) -> ms.put(role, nanos / 1e6 / count));
        return ms;
    }

    /** An idle phase's CPU by role, in milliseconds a second. */
    private static Map<String, Double> perSecondMs(Map<String, Long> nanosByRole) {
        return msPer(nanosByRole, GatewayRun.IDLE.toSeconds());
    }

    private static Map<String, Object> json(
            List<Row> rows,
            Map<String, Long> idleAlone,
            String service,
            int connections,
            int concurrency,
            List<String> gatewayJvm) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("time", Instant.now().toString());
        root.put("service", service);
        root.put("gatewayJvmOptions", gatewayJvm);
        root.put("cores", Runtime.getRuntime().availableProcessors());
        root.put("ceilingConnections", connections);
        root.put("ceilingConcurrency", concurrency);
        List<Map<String, Object>> mixes = new ArrayList<>();
        for (Row r : rows) {
            GatewayRun.Result g = r.gateway();
            Ceiling.Result c = r.ceiling();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mix", r.mix().name());
            m.put("events", g.events());
            m.put("gatewayHeap", r.mix().gatewayHeap());
            m.put("avgEventValueBytes", g.avgValueBytes());
            m.put("gatewayEventsPerSecond", g.perSecond());
            m.put("ceilingEventsPerSecond", c.perSecond());
            m.put("gatewayOverCeiling", r.ratio());
            m.put("gatewayMiBPerSecond", g.perSecond() * r.mebibytesPerEvent());
            m.put("ceilingMiBPerSecond", c.perSecond() * r.mebibytesPerEvent());
            m.put("gatewayDlpBodyMiBPerSecond", g.dlpBodyMiBPerSecond());
            m.put("ceilingDlpBodyMiBPerSecond", c.dlpBodyMiBPerSecond());
            m.put("gatewayDlpCallP50Ms", g.dlpP50Ms());
            m.put("gatewayDlpCallP99Ms", g.dlpP99Ms());
            m.put("ceilingDlpCallP50Ms", Percentiles.of(c.callNanos(), 0.50) / 1e6);
            m.put("ceilingDlpCallP99Ms", Percentiles.of(c.callNanos(), 0.99) / 1e6);
            m.put("latencyPhaseEvents", g.latencyEvents());
            m.put("latencyPhaseEventsPerSecond", g.latencyRate());
            m.put("latencyPhaseMachineBusy", g.latencyMachineBusy());
            m.put("endToEndP50Ms", g.e2eP50Ms());
            m.put("endToEndP99Ms", g.e2eP99Ms());
            m.put("endToEndToWorkerP50Ms", Percentiles.millis(g.endToEnd().toWorker(), 0.50));
            m.put("endToEndToWorkerP99Ms", Percentiles.millis(g.endToEnd().toWorker(), 0.99));
            m.put("endToEndToDecisionP50Ms", Percentiles.millis(g.endToEnd().toDecision(), 0.50));
            m.put("endToEndToDecisionP99Ms", Percentiles.millis(g.endToEnd().toDecision(), 0.99));
            m.put("endToEndToDurableP50Ms", Percentiles.millis(g.endToEnd().toDurable(), 0.50));
            m.put("endToEndToDurableP99Ms", Percentiles.millis(g.endToEnd().toDurable(), 0.99));
            m.put("trickleEventsPerSecond", g.trickle().total().length > 0 ? GatewayRun.TRICKLE_RATE : 0);
            m.put("trickleEndToEndP50Ms", Percentiles.millis(g.trickle().total(), 0.50));
            m.put("trickleEndToEndP99Ms", Percentiles.millis(g.trickle().total(), 0.99));
            m.put("trickleToWorkerP50Ms", Percentiles.millis(g.trickle().toWorker(), 0.50));
            m.put("trickleToWorkerP99Ms", Percentiles.millis(g.trickle().toWorker(), 0.99));
            m.put("statusLookupP50Ms", g.lookupP50Ms());
            m.put("statusLookupP99Ms", g.lookupP99Ms());
            m.put("statusWriteP50Ms", g.writeP50Ms());
            m.put("statusWriteP99Ms", g.writeP99Ms());
            m.put("statusFlushP50Ms", g.flushP50Ms());
            m.put("statusFlushP99Ms", g.flushP99Ms());
            m.put("statusQueueP50Ms", g.queueP50Ms());
            m.put("statusQueueP99Ms", g.queueP99Ms());
            m.put("statusRowsPerFlush", g.rowsPerFlush());
            m.put("gatewayCpuMsPerEvent", g.cpuSecondsPerEvent() * 1000);
            m.put("allProcessesCpuMsPerEventGatewayRun", g.pipelineCpuSecondsPerEvent() * 1000);
            m.put("allProcessesCpuMsPerEventCeilingRun", c.pipelineCpuSecondsPerEvent() * 1000);
            m.put("cpuMsPerEventByProcessGatewayRun", msPer(g.cpuNanosByRole(), g.events()));
            m.put("cpuMsPerEventByProcessCeilingRun", msPer(c.cpuNanosByRole(), c.calls()));
            m.put("cpuMsPerEventByProcessAtHalfRate", msPer(g.latencyCpuNanosByRole(), g.latencyEvents()));
            m.put("cpuMsPerSecondByProcessIdle", perSecondMs(g.idleCpuNanosByRole()));
            m.put("machineBusyGatewayRun", r.gatewayBusy());
            m.put("machineBusyCeilingRun", r.ceilingBusy());
            m.put("gatewayOverCeilingCpuAllows", r.ratioCpuAllows());
            m.put("gatewayOverCeilingCpuAllowsGatewayFree", r.ratioCpuAllowsGatewayFree());
            m.put("gatewayPeakHeapBytes", g.peakHeapBytes());
            m.put("gatewayPeakRssBytes", g.peakRssBytes());
            m.put("failedEvents", g.failed());
            mixes.add(m);
        }
        root.put("mixes", mixes);
        root.put("cpuMsPerSecondByProcessIdleWithoutGateway", perSecondMs(idleAlone));
        return root;
    }
}

package dev.plumber.bench;

import dev.plumber.metrics.Meters;
import dev.plumber.testkit.FreePorts;
import dev.plumber.testkit.PrometheusText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code plumber gateway} in its own JVM, so that its CPU time, heap and RSS are its own: CPU from
 * {@code /proc/<pid>/stat}, peak RSS from {@code VmHWM}, heap from its GC log (the heap before each collection).
 */
final class GatewayJvm implements AutoCloseable {
    /** {@code GC(3) Pause Young (Normal) (G1 Evacuation Pause) 25M->5M(256M) 3.4ms}: the first figure. */
    private static final Pattern GC_LINE = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    /** How often a recording samples Java stacks, the gateway's and the ceiling's (the profile settings: 10 ms). */
    static final String SAMPLE_PERIOD = "1ms"; // no space: jcmd splits its arguments at spaces

    private final Process process;
    private final int port;
    private final Path gcLog;
    private final Path log;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private GatewayJvm(Process process, int port, Path gcLog, Path log) {
        this.process = process;
        this.port = port;
        this.gcLog = gcLog;
        this.log = log;
    }

    /**
     * Starts the gateway with {@code plumberYml} and the DLP settings file and waits until it is ready.
     *
     * @param jvmOptions more options for its JVM, after the heap's
     */
    static GatewayJvm start(
            String name, Path dir, String plumberYml, Path settings, String heap, List<String> jvmOptions)
            throws Exception {
        int port = FreePorts.one();
        Path config = dir.resolve("plumber-" + name + ".yml");
        Files.writeString(config, plumberYml);
        Path gcLog = dir.resolve("gc-" + name + ".log");
        Path log = dir.resolve("gateway-" + name + ".log");
        // Wall-clock time on each collection, to set pauses beside the latency file's slow events.
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx" + heap,
                "-Xlog:gc:file=" + gcLog + ":utctime,uptime"));
        command.addAll(jvmOptions);
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow"); // Kafka's and protobuf's, not ours
        }
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                "dev.plumber.cli.Main",
                "gateway",
                "--config",
                config.toString(),
                "--settings",
                settings.toString()));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("PLUMBER_HTTP_PORT", Integer.toString(port));
        GatewayJvm gateway = new GatewayJvm(builder.start(), port, gcLog, log);
        try {
            gateway.awaitReady(Duration.ofSeconds(90));
        } catch (Exception | Error e) {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    private void awaitReady(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the gateway exited: " + tail());
            }
            try {
                if (http.send(request("/health/ready"), HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the gateway was not ready within " + timeout + ": " + tail());
    }

    /**
     * Starts a Flight Recording of the gateway (profile settings, Java stacks sampled every millisecond: a timed phase
     * of a few seconds gives thousands of samples), for {@link #dumpRecording} to write.
     */
    void startRecording() throws IOException, InterruptedException {
        jcmd("JFR.start", "name=bench", "settings=profile", "jdk.ExecutionSample#period=" + SAMPLE_PERIOD);
    }

    /** Writes the recording {@link #startRecording} began to {@code file} and stops it. */
    void dumpRecording(Path file) throws IOException, InterruptedException {
        jcmd("JFR.dump", "name=bench", "filename=" + file.toAbsolutePath());
        jcmd("JFR.stop", "name=bench");
    }

    private void jcmd(String... command) throws IOException, InterruptedException {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        List<String> line =
                new ArrayList<>(List.of(java.resolveSibling("jcmd").toString(), Long.toString(process.pid())));
        line.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (jcmd.waitFor() != 0) {
            throw new IOException(String.join(" ", line) + " failed: " + output);
        }
    }

    /** The process's CPU time so far (user + system, all threads). */
    long cpuNanos() {
        return ProcessCpu.nanos(process.pid());
    }

    /** The largest resident set the process has had. */
    long peakRssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return -1;
    }

    /** The GC log's length now, to read only later collections with {@link #peakHeapBytes}. */
    long gcLogMark() throws IOException {
        return Files.exists(gcLog) ? Files.size(gcLog) : 0;
    }

    /** The largest heap occupancy seen before a collection since {@code mark} (0 when none ran). */
    long peakHeapBytes(long mark) throws IOException {
        if (!Files.exists(gcLog)) {
            return 0;
        }
        byte[] all = Files.readAllBytes(gcLog);
        String text = new String(
                all,
                (int) Math.min(mark, all.length),
                (int) Math.max(0, all.length - mark),
                StandardCharsets.ISO_8859_1);
        long peak = 0;
        Matcher m = GC_LINE.matcher(text);
        while (m.find()) {
            peak = Math.max(peak, bytes(m.group(1), m.group(2)));
        }
        return peak;
    }

    private static long bytes(String number, String unit) {
        long n = Long.parseLong(number);
        return switch (unit) {
            case "K" -> n << 10;
            case "M" -> n << 20;
            default -> n << 30;
        };
    }

    /** The body bytes the gateway has written to the DLP so far ({@code plumber_dlp_body_bytes_total}). */
    long dlpBodyBytes() throws Exception {
        return (long) metric(Meters.DLP_BODY_BYTES);
    }

    /** The sum of {@code name}'s samples; a metric the gateway does not export is an error, not zero. */
    private double metric(String name) throws Exception {
        List<String> samples = PrometheusText.samples(metrics(), name);
        if (samples.isEmpty()) {
            throw new IllegalStateException("no " + name + " in the gateway's metrics");
        }
        return PrometheusText.sum(samples, "");
    }

    /** {@code /metrics} in the Prometheus text format. */
    String metrics() throws Exception {
        return http.send(request("/metrics"), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build();
    }

    /** SIGTERM (so that a flight recording is written), SIGKILL after 60 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

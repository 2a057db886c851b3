package dev.plumber.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** {@code plumber gateway} in its own JVM, so that tests can kill it with SIGKILL mid-flight and start it again. */
public final class GatewayProcess implements AutoCloseable {
    private final ChildProcess process;
    private final int port;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private GatewayProcess(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Prepares (does not start) a gateway with {@code plumberYml} (its {@code http.port} is overridden) and the DLP
     * settings file; logs go to {@code dir/gateway-<name>.log}.
     */
    public static GatewayProcess prepare(String name, Path dir, String plumberYml, Path settings) throws Exception {
        int port = FreePorts.one();
        Path config = dir.resolve("plumber-" + name + ".yml");
        Files.writeString(config, plumberYml);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.plumber.cli.Main",
                "gateway",
                "--config",
                config.toString(),
                "--settings",
                settings.toString());
        ChildProcess child = new ChildProcess(
                "gateway-" + name,
                command,
                // A killed gateway's partitions move after 6 s instead of 45 s.
                Map.of("PLUMBER_HTTP_PORT", Integer.toString(port), "PLUMBER_KAFKA_SESSIONTIMEOUT", "6s"),
                dir.resolve("gateway-" + name + ".log"));
        return new GatewayProcess(child, port);
    }

    /** Starts it and waits until {@code /health/ready} answers 200. */
    public GatewayProcess start() {
        process.start();
        process.awaitReady(Duration.ofSeconds(60), this::ready);
        return this;
    }

    /** SIGKILL: a crash, nothing drained or committed. */
    public void kill() {
        process.kill();
    }

    /** SIGTERM, then SIGKILL after {@code grace}. */
    public void stop(Duration grace) {
        process.stop(grace);
    }

    /** Whether the gateway's JVM is still running (it may be running and not ready). */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Whether {@code /health/ready} answers 200 now. */
    public boolean isReady() {
        return ready();
    }

    /** The sum of the Prometheus samples of {@code metric} whose labels include {@code label} (e.g. a=\"b\"). */
    public double metric(String metric, String label) throws Exception {
        return PrometheusText.sum(samples(metric), label);
    }

    /** The Prometheus sample lines of {@code metric}, labels and value, for failure messages and reports. */
    public List<String> samples(String metric) throws Exception {
        String text = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return PrometheusText.samples(text, metric);
    }

    public int port() {
        return port;
    }

    public String logTail(int lines) {
        return process.tail(lines);
    }

    private boolean ready() {
        try {
            HttpResponse<Void> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.kill();
    }
}

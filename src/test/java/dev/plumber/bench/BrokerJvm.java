package dev.plumber.bench;

import dev.plumber.embedded.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's Kafka broker, in a JVM of its own: its CPU — and its JIT's, which compiles broker paths all through
 * a run — is then counted apart from the load it serves and from the ceiling's client.
 */
final class BrokerJvm implements AutoCloseable {
    private final Process process;
    private final String bootstrapServers;

    private BrokerJvm(Process process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts the broker and waits until it is ready; its log goes to {@code dir/broker.log}, its GC log beside it. */
    static BrokerJvm start(Path dir) throws Exception {
        Path ready = dir.resolve("broker.bootstrap");
        Path log = dir.resolve("broker.log");
        Files.deleteIfExists(ready);
        List<String> command =
                new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of(
                "-Xmx1g",
                // Wall-clock time on each collection, as the gateway's: a pause of the broker stalls every event.
                "-Xlog:gc:file=" + dir.resolve("gc-broker.log") + ":utctime,uptime",
                "-Dlogback.configurationFile=logback-bench.xml",
                "-cp",
                System.getProperty("java.class.path"),
                BrokerJvm.class.getName(),
                ready.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.exists(ready)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("the broker did not start; see " + log);
            }
            Thread.sleep(100);
        }
        ProcessCpu.count(process.toHandle(), ProcessCpu.BROKER);
        return new BrokerJvm(process, Files.readString(ready, StandardCharsets.UTF_8));
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** Ends the broker: it stops when its standard input closes. */
    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (java.io.IOException ignored) {
            // the process is gone already
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The broker's JVM: writes its bootstrap servers to {@code args[0]} once ready, runs until stdin closes. */
    public static void main(String[] args) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Path ready = Path.of(args[0]);
            Path written =
                    Files.writeString(ready.resolveSibling(ready.getFileName() + ".tmp"), kafka.bootstrapServers());
            Files.move(written, ready, StandardCopyOption.ATOMIC_MOVE);
            while (System.in.read() >= 0) {
                // nothing is sent; end of input is the signal to stop
            }
        }
    }
}

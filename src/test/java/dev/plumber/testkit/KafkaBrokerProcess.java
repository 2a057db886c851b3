package dev.plumber.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in its own JVM on free loopback ports,
 * so a test can kill it with SIGKILL and start it again on the same ports and data. It runs from the test JVM's
 * own classpath (which holds {@code kafka_2.13}); its log is {@code broker.log} in {@link #directory()}.
 *
 * <pre>{@code
 * try (KafkaBrokerProcess kafka = KafkaBrokerProcess.launch()) {
 *     ... kafka.bootstrapServers() ...   // "127.0.0.1:PORT"
 *     kafka.kill();                       // like a crash
 *     kafka.start();                      // same port, same data
 * }
 * }</pre>
 */
public final class KafkaBrokerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path home;
    private final int port;
    private final ChildProcess broker;

    private KafkaBrokerProcess(Path home, int port, int controllerPort) throws IOException {
        this.home = home;
        this.port = port;
        Path properties = home.resolve("server.properties");
        Files.writeString(properties, serverProperties(home.resolve("data"), port, controllerPort));
        Path logging = home.resolve("logback.xml");
        Files.writeString(logging, LOGBACK);
        Path arguments = javaArguments(logging);
        this.broker = new ChildProcess(
                "kafka broker",
                List.of(java(), "@" + arguments, "kafka.Kafka", properties.toString()),
                Map.of(),
                home.resolve("broker.log"));
        format(arguments, properties);
    }

    /** Formats a fresh data directory, starts the broker and waits until it answers. */
    public static KafkaBrokerProcess launch() {
        return FreePorts.retryingPortClashes(KafkaBrokerProcess::launchOnFreePorts);
    }

    private static KafkaBrokerProcess launchOnFreePorts() {
        Path home;
        try {
            home = Files.createTempDirectory("plumber-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int[] ports = FreePorts.take(2);
        KafkaBrokerProcess kafka = null;
        try {
            kafka = new KafkaBrokerProcess(home, ports[0], ports[1]);
            kafka.start();
            return kafka;
        } catch (IOException e) {
            ChildProcess.deleteTree(home);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            if (kafka != null) {
                kafka.close();
            } else {
                ChildProcess.deleteTree(home);
            }
            throw e;
        }
    }

    /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The temporary directory holding {@code server.properties}, the data ({@code data/}) and {@code broker.log}. */
    public Path directory() {
        return home;
    }

    /** Starts the broker (again, after {@link #kill()} or {@link #stop()}) and waits until it answers. */
    public void start() {
        broker.start();
        broker.awaitReady(START_TIMEOUT, this::answers);
    }

    /** Kills the broker's process tree at once (SIGKILL), like a crash; data and ports stay for {@link #start()}. */
    public void kill() {
        broker.kill();
    }

    /** Shuts the broker down cleanly (SIGTERM), killing it if that takes more than 30 s. */
    public void stop() {
        broker.stop(Duration.ofSeconds(30));
    }

    public boolean isRunning() {
        return broker.isAlive();
    }

    /** Creates a topic (replication factor 1) and waits until the broker has it. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topic " + name, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e.getMessage(), e);
        }
    }

    /** The last lines of the broker's log, for failure messages. */
    public String logTail(int lines) {
        return broker.tail(lines);
    }

    @Override
    public void close() {
        broker.kill();
        ChildProcess.deleteTree(home);
    }

    private boolean answers() {
        // An admin client against a closed port only logs connection warnings; wait for the listener first.
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        } catch (IOException e) {
            return false;
        }
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        try (Admin admin = Admin.create(config)) {
            return !admin.describeCluster().nodes().get(4, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    private void format(Path arguments, Path properties) {
        ChildProcess tool = new ChildProcess(
                "kafka storage format",
                List.of(
                        java(),
                        "@" + arguments,
                        "kafka.tools.StorageTool",
                        "format",
                        "-t",
                        Uuid.randomUuid().toString(),
                        "-c",
                        properties.toString()),
                Map.of(),
                home.resolve("format.log"));
        tool.start();
        boolean ended = tool.waitFor(Duration.ofSeconds(60));
        int exitCode = ended ? tool.exitCode() : -1;
        tool.kill(); // also drops its shutdown hook
        if (!ended) {
            throw new IllegalStateException("formatting Kafka storage timed out; " + tool.describeLog());
        }
        if (exitCode != 0) {
            throw new IllegalStateException(
                    "formatting Kafka storage failed (exit " + exitCode + "); " + tool.describeLog());
        }
    }

    /** JVM options and the classpath in an argument file: the classpath is too long to read in a process list. */
    private Path javaArguments(Path logging) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("-Xmx256m");
        lines.add("-XX:+UseSerialGC");
        lines.add("-XX:TieredStopAtLevel=1");
        lines.add("-Djava.awt.headless=true");
        lines.add("-Dlogback.configurationFile=" + quoted(logging.toString()));
        lines.add("-cp");
        lines.add(quoted(System.getProperty("java.class.path")));
        Path file = home.resolve("java.args");
        Files.write(file, lines);
        return file;
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElseGet(() -> Path.of(
                        System.getProperty("java.home"), "bin", "java")
                .toString());
    }

    private static String serverProperties(Path data, int port, int controllerPort) {
        return String.join(
                "\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "log.dirs=" + data,
                "num.partitions=1",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // A killed consumer's partitions wait for its session to expire (45 s by default); tests that kill
                // consumers run with 6 s so that each kill costs seconds, not most of a minute.
                "group.consumer.min.session.timeout.ms=6000",
                "group.consumer.session.timeout.ms=6000",
                "group.consumer.heartbeat.interval.ms=1000",
                "group.consumer.min.heartbeat.interval.ms=1000",
                "");
    }

    /** Broker logs at INFO to its own file (the child's standard output); Kafka's chatty internals at WARN. */
    private static final String LOGBACK =
            """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
              </appender>
              <logger name="org.apache.kafka.clients" level="WARN"/>
              <logger name="org.apache.kafka.common.utils.AppInfoParser" level="WARN"/>
              <root level="INFO"><appender-ref ref="OUT"/></root>
            </configuration>
            """;
}

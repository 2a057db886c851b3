package dev.plumber.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.event.EventCodec;
import dev.plumber.event.MessageEvent;
import dev.plumber.intake.DeadLetters;
import dev.plumber.intake.RequestConsumer;
import dev.plumber.mock.icap.IcapMockServer;
import dev.plumber.mock.icap.MockRules;
import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.FreePorts;
import dev.plumber.testkit.GatewayProcess;
import dev.plumber.testkit.KafkaBrokerProcess;
import dev.plumber.testkit.KafkaTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault suite: the gateway in its own JVM on a standalone Kafka broker, a real PostgreSQL and a recording ICAP
 * DLP; each test reconciles every produced event with the status store and the DLP's receipts. The sizes can be raised
 * for a longer run: {@code -Dplumber.faults.events=200000 -Dplumber.faults.kills=10}.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class FaultSuiteIT {
    private static final int EVENTS = Integer.getInteger("plumber.faults.events", 20_000);
    private static final int KILLS = Integer.getInteger("plumber.faults.kills", 3);
    private static final int PARTITIONS = 6;
    private static final int CHATS = 120;
    private static final AtomicLong MID = new AtomicLong(1);

    @TempDir
    static Path dir;

    private static KafkaBrokerProcess kafka;
    private static EmbeddedPostgres postgres;
    private static IcapMockServer dlp;
    private static int dlpPort;
    private static Path settings;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaBrokerProcess.launch();
        postgres = EmbeddedPostgres.start();
        dlpPort = FreePorts.one();
        dlp = IcapMockServer.start(dlpPort, MockRules.demo());
        settings = dir.resolve("dlp.settings");
        Files.writeString(settings, "system=icap\naddress=icap://127.0.0.1:" + dlpPort + "/request\n");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable part : new AutoCloseable[] {dlp, postgres, kafka}) {
            if (part != null) {
                part.close();
            }
        }
    }

    /** One test's own topics, consumer group and database. */
    private record Run(String name, String requests, String deadLetter, String group, DataSource store, String yml) {}

    private static Run newRun(TestInfo test) throws Exception {
        String name = test.getTestMethod().orElseThrow().getName().toLowerCase();
        String requests = name + ".requests";
        String deadLetter = name + ".dlq";
        KafkaTopics.create(kafka.bootstrapServers(), Map.of(requests, PARTITIONS, name + ".status", 1, deadLetter, 1));
        String url = postgres.createDatabase(name);
        String yml =
                """
                kafka:
                  bootstrapServers: "%s"
                  groupId: %s
                  topics: {requests: %s, status: %s.status, deadLetter: %s}
                store: {url: "%s", user: %s, password: ""}
                dlpClient: {timeout: 2s}
                """
                        .formatted(kafka.bootstrapServers(), name, requests, name, deadLetter, url, postgres.user());
        return new Run(name, requests, deadLetter, name, postgres.dataSource(name), yml);
    }

    @Test
    void killNineDuringLoadLosesNothing(TestInfo test) throws Exception {
        Run run = newRun(test);
        DeliveryCheck check = new DeliveryCheck();
        GatewayProcess gateway =
                GatewayProcess.prepare(run.name(), dir, run.yml(), settings).start();
        try {
            produceMessages(run.requests(), EVENTS, check);
            for (int kill = 1; kill <= KILLS; kill++) {
                int threshold = EVENTS * kill / (KILLS + 1);
                Eventually.within(Duration.ofMinutes(2), () -> {
                    check.drain(dlp);
                    assertThat(check.terminal(run.store())).isGreaterThanOrEqualTo(threshold);
                    return null;
                });
                gateway.kill();
                gateway.start();
            }
            DeliveryCheck.Report report = awaitAllTerminal(check, run.store(), gateway);

            System.out.printf("fault suite, kill -9 x%d: %s%n", KILLS, report);
            assertThat(report.lost()).isZero();
            assertThat(report.outOfOrder()).isZero();
            assertThat(report.duplicatedAtDlp())
                    .isLessThanOrEqualTo(KILLS * RequestConsumer.Limits.DEFAULT.maxEvents());
            awaitCommittedToLogEnd(run);
        } finally {
            gateway.stop(Duration.ofSeconds(30));
        }
    }

    @Test
    void cleanRestartsAndScaleOutDuplicateNothing(TestInfo test) throws Exception {
        Run run = newRun(test);
        DeliveryCheck check = new DeliveryCheck();
        GatewayProcess first = GatewayProcess.prepare(run.name() + "-1", dir, run.yml(), settings)
                .start();
        GatewayProcess second = GatewayProcess.prepare(run.name() + "-2", dir, run.yml(), settings);
        try {
            produceMessages(run.requests(), EVENTS / 2, check);
            second.start(); // joins the group under load
            awaitProgress(check, run.store(), EVENTS / 6);
            first.stop(Duration.ofSeconds(40)); // SIGTERM: drains, commits, leaves
            awaitProgress(check, run.store(), EVENTS / 3);
            first.start();
            second.stop(Duration.ofSeconds(40));
            DeliveryCheck.Report report = awaitAllTerminal(check, run.store(), first);

            System.out.printf("fault suite, clean restarts and scale-out: %s%n", report);
            assertThat(report.lost()).isZero();
            assertThat(report.duplicatedAtDlp()).isZero();
            assertThat(report.outOfOrder()).isZero();
        } finally {
            first.stop(Duration.ofSeconds(30));
            second.stop(Duration.ofSeconds(30));
        }
    }

    @Test
    void aDlpOutageIsRiddenOutWithoutDeadLetters(TestInfo test) throws Exception {
        Run run = newRun(test);
        DeliveryCheck check = new DeliveryCheck();
        GatewayProcess gateway =
                GatewayProcess.prepare(run.name(), dir, run.yml(), settings).start();
        try {
            dlp.close();
            produceMessages(run.requests(), 2_000, check);
            Thread.sleep(8_000); // refused connections: events wait in RETRYING, the breaker opens
            assertThat(check.terminal(run.store())).isZero();
            dlp = IcapMockServer.start(dlpPort, MockRules.demo());
            DeliveryCheck.Report report = awaitAllTerminal(check, run.store(), gateway);

            System.out.printf("fault suite, DLP outage: %s%n", report);
            assertThat(report.lost()).isZero();
            assertThat(KafkaTopics.read(kafka.bootstrapServers(), run.deadLetter(), 1, Duration.ofSeconds(3)))
                    .isEmpty();
        } finally {
            gateway.stop(Duration.ofSeconds(30));
        }
    }

    @Test
    void aBrokerRestartLosesNothing(TestInfo test) throws Exception {
        Run run = newRun(test);
        DeliveryCheck check = new DeliveryCheck();
        GatewayProcess gateway =
                GatewayProcess.prepare(run.name(), dir, run.yml(), settings).start();
        try {
            produceMessages(run.requests(), EVENTS / 2, check);
            awaitProgress(check, run.store(), EVENTS / 8);
            kafka.kill();
            Thread.sleep(3_000);
            kafka.start();
            DeliveryCheck.Report report = awaitAllTerminal(check, run.store(), gateway);

            System.out.printf("fault suite, broker kill -9 and restart: %s%n", report);
            assertThat(report.lost()).isZero();
            assertThat(report.outOfOrder()).isZero();
            awaitCommittedToLogEnd(run);
        } finally {
            gateway.stop(Duration.ofSeconds(30));
        }
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicAndGoodOnesKeepFlowing(TestInfo test) throws Exception {
        Run run = newRun(test);
        DeliveryCheck check = new DeliveryCheck();
        GatewayProcess gateway =
                GatewayProcess.prepare(run.name(), dir, run.yml(), settings).start();
        List<byte[]> poison = List.of(
                "{not json".getBytes(StandardCharsets.UTF_8),
                "{\"v\":1,\"type\":\"message\",\"id\":\"4b0c5b8e-0000-4000-8000-000000000001\"}"
                        .getBytes(StandardCharsets.UTF_8),
                "{\"v\":1,\"type\":\"fax\",\"id\":\"4b0c5b8e-0000-4000-8000-000000000002\"}"
                        .getBytes(StandardCharsets.UTF_8),
                "null".getBytes(StandardCharsets.UTF_8),
                ("{\"v\":1,\"type\":\"message\",\"text\":\"" + "x".repeat(400_000) + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (byte[] bad : poison) {
                sendMessages(producer, run.requests(), 50, check);
                // The same key as good messages, so a stuck partition would show.
                producer.send(new ProducerRecord<>(run.requests(), "chat-1".getBytes(StandardCharsets.UTF_8), bad));
            }
            producer.send(new ProducerRecord<>(run.requests(), "chat-1".getBytes(StandardCharsets.UTF_8), null));
            sendMessages(producer, run.requests(), 50, check);
            producer.flush();
        }
        try {
            DeliveryCheck.Report report = awaitAllTerminal(check, run.store(), gateway);
            var letters = KafkaTopics.read(
                    kafka.bootstrapServers(), run.deadLetter(), poison.size() + 1, Duration.ofSeconds(30));

            System.out.printf("fault suite, poison input: %s, dead letters=%d%n", report, letters.size());
            assertThat(report.lost()).isZero();
            assertThat(letters).hasSize(poison.size() + 1);
            assertThat(letters).allSatisfy(letter -> {
                assertThat(letter.headers().lastHeader(DeadLetters.ERROR_MESSAGE))
                        .isNotNull();
                assertThat(letter.headers().lastHeader(DeadLetters.ORIGINAL_OFFSET))
                        .isNotNull();
                assertThat(new String(
                                letter.headers().lastHeader(DeadLetters.STAGE).value(), StandardCharsets.UTF_8))
                        .isEqualTo("decode");
            });
        } finally {
            gateway.stop(Duration.ofSeconds(30));
        }
    }

    private static void produceMessages(String topic, int count, DeliveryCheck check) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            sendMessages(producer, topic, count, check);
            producer.flush();
        }
    }

    private static void sendMessages(
            KafkaProducer<byte[], byte[]> producer, String topic, int count, DeliveryCheck check) {
        for (int i = 0; i < count; i++) {
            long mid = MID.getAndIncrement();
            String chat = "chat-" + (mid % CHATS);
            MessageEvent event = new MessageEvent(
                    UUID.randomUUID(),
                    mid,
                    "load@faults.local",
                    chat,
                    "group",
                    "message " + mid,
                    null,
                    "{}",
                    "10.0.0.1",
                    Instant.now(),
                    false);
            check.produced(mid, event.id().toString(), chat);
            producer.send(new ProducerRecord<>(topic, chat.getBytes(StandardCharsets.UTF_8), EventCodec.encode(event)));
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static void awaitProgress(DeliveryCheck check, DataSource store, int terminal) throws Exception {
        Eventually.within(Duration.ofMinutes(2), () -> {
            assertThat(check.terminal(store)).isGreaterThanOrEqualTo(terminal);
            return null;
        });
    }

    private static DeliveryCheck.Report awaitAllTerminal(DeliveryCheck check, DataSource store, GatewayProcess gateway)
            throws Exception {
        try {
            Eventually.within(Duration.ofMinutes(3), () -> {
                DeliveryCheck.Report report = check.report(store);
                assertThat(report.lost()).as("undecided events").isZero();
                return report;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + gateway.logTail(40), e);
        }
        Thread.sleep(500); // the last receipts to arrive at the recording DLP
        check.drain(dlp);
        return check.report(store);
    }

    private static void awaitCommittedToLogEnd(Run run) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Eventually.within(Duration.ofSeconds(30), () -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(run.group())
                        .partitionsToOffsetAndMetadata()
                        .get();
                Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    latest.put(new TopicPartition(run.requests(), p), OffsetSpec.latest());
                }
                var ends = admin.listOffsets(latest).all().get();
                for (var end : ends.entrySet()) {
                    OffsetAndMetadata c = committed.get(end.getKey());
                    assertThat(c == null ? 0 : c.offset())
                            .as("committed offset of %s", end.getKey())
                            .isEqualTo(end.getValue().offset());
                }
                return null;
            });
        }
    }
}

package dev.plumber.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.event.EventCodec;
import dev.plumber.event.MessageEvent;
import dev.plumber.intake.DeadLetters;
import dev.plumber.intake.RequestConsumer;
import dev.plumber.metrics.Meters;
import dev.plumber.mock.icap.IcapMockServer;
import dev.plumber.mock.icap.MockRules;
import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.FreePorts;
import dev.plumber.testkit.GatewayProcess;
import dev.plumber.testkit.KafkaBrokerProcess;
import dev.plumber.testkit.KafkaTopics;
import dev.plumber.testkit.RestartablePostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
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
    private static final int PG_EVENTS = 4_000;
    /**
     * Longer than the connection pool waits for a connection (Hikari's 30 s): the workers waiting on the pool give up
     * and their partitions are rewound too, not only those whose statements the shutdown cut.
     */
    private static final Duration PG_OUTAGE = Duration.ofSeconds(35);

    private static final int SLOW_EVENTS = 180;
    private static final Duration SLOW_DLP = Duration.ofSeconds(3);
    private static final Duration SLOW_POLL_INTERVAL = Duration.ofSeconds(5);

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
        String name = runName(test);
        return newRun(name, postgres.createDatabase(name), postgres.user(), postgres.dataSource(name), "5m", "2s");
    }

    private static String runName(TestInfo test) {
        return test.getTestMethod().orElseThrow().getName().toLowerCase();
    }

    private static Run newRun(
            String name, String storeUrl, String storeUser, DataSource store, String maxPollInterval, String dlpTimeout)
            throws Exception {
        String requests = name + ".requests";
        String deadLetter = name + ".dlq";
        KafkaTopics.create(kafka.bootstrapServers(), Map.of(requests, PARTITIONS, name + ".status", 1, deadLetter, 1));
        String yml =
                """
                kafka:
                  bootstrapServers: "%s"
                  groupId: %s
                  topics: {requests: %s, status: %s.status, deadLetter: %s}
                  maxPollInterval: %s
                store: {url: "%s", user: %s, password: ""}
                dlpClient: {timeout: %s}
                """
                        .formatted(
                                kafka.bootstrapServers(),
                                name,
                                requests,
                                name,
                                deadLetter,
                                maxPollInterval,
                                storeUrl,
                                storeUser,
                                dlpTimeout);
        return new Run(name, requests, deadLetter, name, store, yml);
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

    /**
     * The DLP goes away three ways in a row — connections refused, then up but answering 503, then accepting and never
     * answering (longer than the gateway's call timeout) — and comes back. Throughout, the breaker opens instead of
     * every event hammering the DLP, the partitions back off while the consumer keeps its place in the group, the
     * events in flight stay within their bound, and nothing is dead-lettered: each event waits in RETRYING and is
     * decided once the DLP answers.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // 73 s on an idle 2-core machine, 24 s of it the fixed outage
    void aDlpOutageIsRiddenOutWithoutDeadLetters(TestInfo test) throws Exception {
        Run run = newRun(test);
        DeliveryCheck check = new DeliveryCheck();
        GatewayProcess gateway =
                GatewayProcess.prepare(run.name(), dir, run.yml(), settings).start();
        try (Admin admin = admin()) {
            GroupGeneration before = settledGeneration(admin, run.group());
            Set<GroupGeneration> seen = new LinkedHashSet<>();
            double breakerOpen = 0;
            double inFlight = 0;

            dlp.close();
            produceMessages(run.requests(), 2_000, check);
            for (String phase : List.of("refused", "503", "hanging")) {
                switch (phase) {
                    case "503" -> {
                        dlp = IcapMockServer.start(dlpPort, MockRules.demo());
                        dlp.failWith(503);
                    }
                    case "hanging" -> {
                        dlp.failWith(0);
                        dlp.delayAnswers(Duration.ofSeconds(20)); // the gateway gives up on a call after 2 s
                    }
                    default -> {}
                }
                long phaseEnd = System.nanoTime() + Duration.ofSeconds(8).toNanos();
                while (System.nanoTime() < phaseEnd) {
                    breakerOpen = Math.max(breakerOpen, gateway.metric(Meters.BREAKER_STATE, "address="));
                    inFlight = Math.max(inFlight, gateway.metric(Meters.IN_FLIGHT, ""));
                    seen.add(generation(admin, run.group()));
                    Thread.sleep(250);
                }
                assertThat(check.terminal(run.store()))
                        .as("events decided while the DLP was %s", phase)
                        .isZero();
            }
            dlp.delayAnswers(Duration.ZERO);
            DeliveryCheck.Report report = awaitAllTerminal(check, run.store(), gateway);
            seen.add(generation(admin, run.group()));

            System.out.printf(
                    "fault suite, DLP outage (refused, 503, hanging): %s, breaker state seen %.0f, most in flight %.0f%n",
                    report, breakerOpen, inFlight);
            assertThat(report.lost()).isZero();
            assertThat(report.outOfOrder()).isZero();
            assertThat(breakerOpen).as("the breaker opened (1) or probed (2)").isGreaterThanOrEqualTo(1);
            RequestConsumer.Limits limits = RequestConsumer.Limits.DEFAULT;
            assertThat(inFlight)
                    .as("events in flight (bound plus at most one poll)")
                    .isLessThanOrEqualTo(limits.maxEvents() + 500);
            assertThat(seen).as("the group's generations during the outage").containsOnly(before);
            // The console's journal shows when the DLP stopped being asked and when it was again.
            assertThat(journalEntries(run.store(), "dlp.breaker.open")).isPositive();
            assertThat(journalEntries(run.store(), "dlp.breaker.closed")).isPositive();
            assertThat(KafkaTopics.read(kafka.bootstrapServers(), run.deadLetter(), 1, Duration.ofSeconds(3)))
                    .isEmpty();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + gateway.logTail(40), e);
        } finally {
            dlp.failWith(0);
            dlp.delayAnswers(Duration.ZERO);
            gateway.stop(Duration.ofSeconds(30));
        }
    }

    /**
     * PostgreSQL's server process stopped (fast shutdown: every session cut) while events flow, and started again on
     * its port and data after {@link #PG_OUTAGE}: nothing is lost or dead-lettered, no offset is ever committed past
     * an event without a terminal status, and the gateway stays up, unready while the store is gone, ready after.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // 57 s on an idle 2-core machine, 35 s of it the fixed outage
    void aPostgresOutageLosesNothingAndCommitsNoOffsetPastAnUnrecordedStatus(TestInfo test) throws Exception {
        String name = runName(test);
        // A server of its own: this test stops it, the other tests keep theirs.
        try (RestartablePostgres db = RestartablePostgres.launch();
                Admin admin = admin()) {
            Run run = newRun(name, db.createDatabase(name), db.user(), db.dataSource(name), "5m", "2s");
            DeliveryCheck check = new DeliveryCheck();
            GatewayProcess gateway =
                    GatewayProcess.prepare(run.name(), dir, run.yml(), settings).start();
            try {
                produceMessages(run.requests(), PG_EVENTS / 2, check);
                awaitProgress(check, run.store(), PG_EVENTS / 10);
                assertThat(DeliveryCheck.commitsPastUndecided(run.store(), run.requests(), committed(admin, run)))
                        .isEmpty();

                db.stop(); // the server process exits; every session is cut
                long stoppedAt = System.nanoTime();
                produceMessages(run.requests(), PG_EVENTS / 2, check); // events keep coming meanwhile
                List<Map<Integer, Long>> commitsDuringOutage = new ArrayList<>();
                boolean readyDuringOutage = false;
                while (System.nanoTime() - stoppedAt < PG_OUTAGE.toNanos()) {
                    commitsDuringOutage.add(committed(admin, run));
                    readyDuringOutage |= gateway.isReady();
                    assertThat(gateway.isAlive())
                            .as("gateway alive without its database")
                            .isTrue();
                    Thread.sleep(500);
                }
                db.start(); // same port, same data

                // While it catches up: offsets read first, then the rows they must already be backed by. A
                // violation is kept, not retried: a later look might find the event decided after all.
                List<Map<Integer, Long>> violations = new ArrayList<>();
                AtomicInteger catchUpChecks = new AtomicInteger();
                DeliveryCheck.Report report = Eventually.within(Duration.ofMinutes(2), () -> {
                    Map<Integer, Long> commits = committed(admin, run);
                    catchUpChecks.incrementAndGet();
                    Map<Integer, Long> past = DeliveryCheck.commitsPastUndecided(run.store(), run.requests(), commits);
                    if (!past.isEmpty()) {
                        violations.add(past);
                    }
                    DeliveryCheck.Report r = check.report(run.store());
                    assertThat(r.lost()).as("undecided events").isZero();
                    return r;
                });
                assertThat(violations)
                        .as("partitions committed past an undecided event (partition: how many)")
                        .isEmpty();
                for (Map<Integer, Long> commits : commitsDuringOutage) {
                    assertThat(DeliveryCheck.commitsPastUndecided(run.store(), run.requests(), commits))
                            .as("committed during the outage: %s", commits)
                            .isEmpty();
                }
                Thread.sleep(500); // the last receipts to arrive at the recording DLP
                check.drain(dlp);
                report = check.report(run.store());

                double retriedForTheStore = gateway.metric(Meters.RETRIES, "kind=\"infrastructure\"");
                System.out.printf(
                        "fault suite, PostgreSQL stopped for %d s under load: %s, commit snapshots checked: %d during"
                                + " the outage, %d while catching up; %s%n",
                        PG_OUTAGE.toSeconds(),
                        report,
                        commitsDuringOutage.size(),
                        catchUpChecks.get(),
                        gateway.samples(Meters.RETRIES));
                assertThat(retriedForTheStore)
                        .as("events the outage sent back for a later try")
                        .isPositive();
                assertThat(report.lost()).isZero();
                assertThat(report.outOfOrder()).isZero();
                // A status write that fails after the DLP answered sends that event again once the database is back.
                assertThat(report.duplicatedAtDlp()).isLessThanOrEqualTo(RequestConsumer.Limits.DEFAULT.maxEvents());
                assertThat(readyDuringOutage)
                        .as("ready while the status store was down")
                        .isFalse();
                assertThat(gateway.isAlive()).isTrue();
                Eventually.within(Duration.ofSeconds(60), () -> {
                    assertThat(gateway.isReady()).as("ready again").isTrue();
                    return null;
                });
                awaitCommittedToLogEnd(run);
                assertThat(KafkaTopics.read(kafka.bootstrapServers(), run.deadLetter(), 1, Duration.ofSeconds(3)))
                        .as("dead letters")
                        .isEmpty();
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + gateway.logTail(40), e);
            } finally {
                gateway.stop(Duration.ofSeconds(30));
            }
        }
    }

    /**
     * A DLP that takes 3 s over every check, with the consumer's {@code max.poll.interval.ms} at 5 s. The DLP calls
     * run on worker threads while the poll loop keeps polling, so the group never notices. Were a batch's calls made
     * (or waited for) on the poll thread, a single poll would block for the whole batch — 180 events through 16
     * connections at 3 s each, over 30 s — the consumer would leave its group after 5 s and rejoin, and the group
     * epoch or the member's epoch below would change.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aSlowDlpNeverTriggersARebalance(TestInfo test) throws Exception {
        String name = runName(test);
        Run run = newRun(
                name,
                postgres.createDatabase(name),
                postgres.user(),
                postgres.dataSource(name),
                SLOW_POLL_INTERVAL.toMillis() + "ms",
                "30s");
        DeliveryCheck check = new DeliveryCheck();
        GatewayProcess gateway =
                GatewayProcess.prepare(run.name(), dir, run.yml(), settings).start();
        try (Admin admin = admin()) {
            GroupGeneration before = settledGeneration(admin, run.group());
            dlp.delayAnswers(SLOW_DLP);
            long start = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = producer()) {
                sendMessages(producer, run.requests(), SLOW_EVENTS, 30, check);
                producer.flush();
            }
            Set<GroupGeneration> seen = new LinkedHashSet<>();
            DeliveryCheck.Report report = Eventually.within(Duration.ofMinutes(2), () -> {
                seen.add(generation(admin, run.group()));
                DeliveryCheck.Report r = check.report(run.store());
                assertThat(r.lost()).as("undecided events").isZero();
                return r;
            });
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            seen.add(generation(admin, run.group()));
            dlp.delayAnswers(Duration.ZERO);
            Thread.sleep(500);
            check.drain(dlp);
            report = check.report(run.store());

            System.out.printf(
                    "fault suite, DLP answering in %d s, max.poll.interval %d s: %s, took %d s, group %s%n",
                    SLOW_DLP.toSeconds(), SLOW_POLL_INTERVAL.toSeconds(), report, took.toSeconds(), seen);
            assertThat(report.lost()).isZero();
            assertThat(report.outOfOrder()).isZero();
            // Not a timing assertion: 180 calls of at least 3 s through 16 connections cannot take less.
            assertThat(took).isGreaterThan(SLOW_POLL_INTERVAL.multipliedBy(5));
            assertThat(seen)
                    .as("the group's generations while the DLP was slow")
                    .containsOnly(before);
            assertThat(gateway.isReady()).isTrue();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + gateway.logTail(40), e);
        } finally {
            dlp.delayAnswers(Duration.ZERO);
            gateway.stop(Duration.ofSeconds(30));
        }
    }

    /** The group's epoch and its members with theirs: any rebalance changes it. */
    private record GroupGeneration(String state, int groupEpoch, Map<String, Integer> memberEpochs, int partitions) {
        boolean settled() {
            return state.equals("STABLE")
                    && memberEpochs.size() == 1
                    && memberEpochs.values().iterator().next() == groupEpoch
                    && partitions == PARTITIONS;
        }
    }

    /** The group's generation once it has settled: one member, stable, holding every partition. */
    private static GroupGeneration settledGeneration(Admin admin, String group) throws Exception {
        return Eventually.within(Duration.ofSeconds(60), () -> {
            GroupGeneration g = generation(admin, group);
            assertThat(g.settled()).as("group settled: %s", g).isTrue();
            return g;
        });
    }

    private static GroupGeneration generation(Admin admin, String group) throws Exception {
        ConsumerGroupDescription d =
                admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        Map<String, Integer> members = new TreeMap<>();
        int partitions = 0;
        for (MemberDescription m : d.members()) {
            members.put(m.consumerId(), m.memberEpoch().orElse(-1));
            partitions += m.assignment().topicPartitions().size();
        }
        return new GroupGeneration(d.groupState().name(), d.groupEpoch().orElse(-1), members, partitions);
    }

    private static Map<Integer, Long> committed(Admin admin, Run run) throws Exception {
        Map<Integer, Long> committed = new TreeMap<>();
        admin.listConsumerGroupOffsets(run.group())
                .partitionsToOffsetAndMetadata()
                .get()
                .forEach((tp, offset) -> {
                    if (tp.topic().equals(run.requests()) && offset != null) {
                        committed.put(tp.partition(), offset.offset());
                    }
                });
        return committed;
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
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
            // Each one is in the console's journal too, for auditors.
            assertThat(journalEntries(run.store(), "dlq.write")).isEqualTo(poison.size() + 1);
        } finally {
            gateway.stop(Duration.ofSeconds(30));
        }
    }

    /** Entries the gateway wrote to the console's journal with {@code action}. */
    private static int journalEntries(DataSource store, String action) throws Exception {
        try (var c = store.getConnection();
                var s = c.prepareStatement(
                        "SELECT count(*) FROM gateway.journal WHERE actor = 'gateway' AND action = ?")) {
            s.setString(1, action);
            try (var r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
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
        sendMessages(producer, topic, count, CHATS, check);
    }

    private static void sendMessages(
            KafkaProducer<byte[], byte[]> producer, String topic, int count, int chats, DeliveryCheck check) {
        for (int i = 0; i < count; i++) {
            long mid = MID.getAndIncrement();
            String chat = "chat-" + (mid % chats);
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

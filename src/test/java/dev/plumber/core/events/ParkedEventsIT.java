package dev.plumber.core.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.core.store.Database;
import dev.plumber.core.store.MessageCipher;
import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.testkit.CliRun;
import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.KafkaTopics;
import dev.plumber.testkit.PostgresAndKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code plumber outbox parked} and {@code requeue-parked} against a core's database and the relay that parked. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ParkedEventsIT {
    @RegisterExtension
    static final PostgresAndKafka<EmbeddedKafka> services = PostgresAndKafka.withEmbeddedKafka();

    @TempDir
    static Path dir;

    private final MessageCipher cipher = new MessageCipher(new byte[32], new SecureRandom());

    @Test
    void requeuedEventsAreParkedAgainWhileKafkaRefusesThemAndGoOutInTheirOrderOnceItTakesThem() throws Exception {
        String topic = "outbox.requeue";
        ConfigResource topicConfig = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        // A topic whose max.message.bytes was set too low: the broker refuses the two large events, not the small.
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                            .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1024"))))
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
        Database db = migrated("outbox_requeue");
        String first = "1".repeat(4000);
        String second = "2".repeat(4000);
        db.inTransaction(c -> {
            Outbox.add(c, cipher, topic, "chat-1", first.getBytes(StandardCharsets.UTF_8));
            Outbox.add(c, cipher, topic, "chat-1", "small".getBytes(StandardCharsets.UTF_8));
            Outbox.add(c, cipher, topic, "chat-2", second.getBytes(StandardCharsets.UTF_8));
            return null;
        });
        Path config = coreYml("outbox_requeue");
        ParkedEvents parkedEvents = new ParkedEvents(db);

        try (Producer<String, byte[]> producer = Producers.relay(services.bootstrapServers())) {
            OutboxRelay relay = new OutboxRelay(db, cipher, producer, Duration.ofSeconds(1), Duration.ofSeconds(1));
            assertThat(relay.relayOnce()).isEqualTo(3);
            CliRun listed = CliRun.of("outbox", "parked", "--config", config.toString());
            assertThat(listed.code()).as(listed.err()).isZero();
            assertThat(listed.out()).startsWith("2 parked event(s)").contains("key chat-2", "RecordTooLargeException");
            List<ParkedEvents.Parked> parked = parkedEvents.list();

            // Requeued before the cause is fixed: sent, refused and parked again, with the time of the new refusal.
            CliRun early = CliRun.of("outbox", "requeue-parked", "--config", config.toString());
            assertThat(early.code()).as(early.err()).isZero();
            assertThat(early.out()).startsWith("requeued 2 parked event(s)");
            assertThat(parkedEvents.list()).isEmpty();
            assertThat(relay.relayOnce()).isEqualTo(2);
            List<ParkedEvents.Parked> parkedAgain = parkedEvents.list();
            assertThat(parkedAgain)
                    .extracting(ParkedEvents.Parked::id)
                    .containsExactlyElementsOf(
                            parked.stream().map(ParkedEvents.Parked::id).toList());
            assertThat(parkedAgain.getFirst().parkedAt())
                    .isAfter(parked.getFirst().parkedAt());

            try (Admin admin = admin()) {
                admin.incrementalAlterConfigs(Map.of(
                                topicConfig,
                                List.of(new AlterConfigOp(
                                        new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1048588"),
                                        AlterConfigOp.OpType.SET))))
                        .all()
                        .get(60, TimeUnit.SECONDS);
                Eventually.within(Duration.ofSeconds(30), () -> assertThat(admin.describeConfigs(Set.of(topicConfig))
                                .all()
                                .get(60, TimeUnit.SECONDS)
                                .get(topicConfig)
                                .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)
                                .value())
                        .isEqualTo("1048588"));
            }
            CliRun requeued = CliRun.of("outbox", "requeue-parked", "--config", config.toString());
            assertThat(requeued.code()).as(requeued.err()).isZero();
            assertThat(requeued.out()).startsWith("requeued 2 parked event(s)");
            assertThat(relay.relayOnce()).isEqualTo(2);
        }

        assertThat(records(topic, 3)).containsExactly("chat-1=small", "chat-1=" + first, "chat-2=" + second);
        assertThat(db.inTransaction(Outbox::size)).isZero();
        assertThat(CliRun.of("outbox", "parked", "--config", config.toString()).out())
                .isEqualTo("no parked events\n");
        CliRun none = CliRun.of("outbox", "requeue-parked", "--config", config.toString());
        assertThat(none.code()).isZero();
        assertThat(none.out()).isEqualTo("no parked events\n");
    }

    @Test
    void aDatabaseTheCoreNeverRanOnIsAOneLineError() throws Exception {
        services.postgres().createDatabase("outbox_never");

        CliRun run = CliRun.of(
                "outbox", "requeue-parked", "--config", coreYml("outbox_never").toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err().strip().lines()).hasSize(1);
        assertThat(run.err()).startsWith("plumber: the core's database has no table core.outbox_parked");
    }

    @Test
    void anUnreachableDatabaseIsAOneLineError() throws Exception {
        Path config = dir.resolve("unreachable.yml");
        Files.writeString(config, "store: {url: \"jdbc:postgresql://127.0.0.1:1/core\", user: core}\n");

        CliRun run = CliRun.of("outbox", "parked", "--config", config.toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err().strip().lines()).hasSize(1);
        assertThat(run.err())
                .startsWith("plumber: cannot use the core's database: ")
                .contains("127.0.0.1:1");
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers()));
    }

    private static Database migrated(String name) throws SQLException {
        services.postgres().createDatabase(name);
        Database db = new Database(services.postgres().dataSource(name));
        db.migrate();
        return db;
    }

    private static Path coreYml(String database) throws Exception {
        Path file = dir.resolve(database + ".yml");
        Files.writeString(
                file,
                "store: {url: \"%s\", user: %s}\n"
                        .formatted(
                                services.postgres().jdbcUrl(database),
                                services.postgres().user()));
        return file;
    }

    /** The topic's records as {@code key=value}, once {@code expected} arrived (or 30 s passed). */
    private static List<String> records(String topic, int expected) {
        return KafkaTopics.read(services.bootstrapServers(), topic, expected, Duration.ofSeconds(30)).stream()
                .map(r -> new String(r.key(), StandardCharsets.UTF_8) + "="
                        + new String(r.value(), StandardCharsets.UTF_8))
                .toList();
    }
}

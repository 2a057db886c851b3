package dev.plumber.core.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.core.store.Database;
import dev.plumber.core.store.MessageCipher;
import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.testkit.KafkaTopics;
import dev.plumber.testkit.PostgresAndKafka;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OutboxRelayIT {
    @RegisterExtension
    static final PostgresAndKafka<EmbeddedKafka> services = PostgresAndKafka.withEmbeddedKafka();

    @Test
    void aRowKafkaRefusesForGoodIsParkedAndTheRowsBehindItGoOut() throws Exception {
        String topic = "outbox.parking";
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        String database = "outbox_parking";
        services.postgres().createDatabase(database);
        Database db = new Database(services.postgres().dataSource(database));
        db.migrate();
        MessageCipher cipher = new MessageCipher(new byte[32], new SecureRandom());
        // The journal entry of a log-in with a 600,000-character e-mail, keyed by it: 1.2 MB, over Kafka's 1 MB.
        String hugeKey = "a".repeat(600_000) + "@x";
        db.inTransaction(c -> {
            Outbox.add(c, cipher, topic, "chat-1", "first".getBytes(StandardCharsets.UTF_8));
            Outbox.add(c, cipher, topic, hugeKey, ("{\"actor\":\"" + hugeKey + "\"}").getBytes(StandardCharsets.UTF_8));
            Outbox.add(c, cipher, topic, "chat-1", "second".getBytes(StandardCharsets.UTF_8));
            Outbox.add(c, cipher, topic, "chat-2", "third".getBytes(StandardCharsets.UTF_8));
            return null;
        });

        // Not started: relayOnce is called directly, so the producer is closed here rather than by the relay.
        try (Producer<String, byte[]> producer = Producers.relay(services.bootstrapServers())) {
            OutboxRelay relay = new OutboxRelay(db, cipher, producer, Duration.ofSeconds(1), Duration.ofSeconds(1));
            assertThat(relay.relayOnce()).isEqualTo(4);
            assertThat(relay.relayOnce()).isZero();
        }

        assertThat(values(topic, 3)).containsExactly("first", "second", "third");
        assertThat(db.inTransaction(Outbox::size)).isZero();
        try (Connection c = services.postgres().dataSource(database).getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT event_key, reason FROM core.outbox_parked")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(hugeKey);
            assertThat(rs.getString(2)).contains("RecordTooLargeException");
            assertThat(rs.next()).isFalse();
        }
    }

    private static List<String> values(String topic, int expected) {
        return KafkaTopics.read(services.bootstrapServers(), topic, expected, Duration.ofSeconds(30)).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .toList();
    }
}

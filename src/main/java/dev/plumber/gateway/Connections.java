package dev.plumber.gateway;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.plumber.settings.GatewayConfig;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** How the gateway connects to its database and to Kafka, in one place. */
public final class Connections {
    private Connections() {}

    public static HikariDataSource dataSource(GatewayConfig.Store store) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(store.url());
        hikari.setUsername(store.user());
        hikari.setPassword(store.password());
        hikari.setMaximumPoolSize(16);
        hikari.setPoolName("plumber-status");
        // A database that stops answering without closing the connection (a failover moving its address, a firewall
        // dropping packets) fails the statement after a minute, as one that is down does at once, instead of holding
        // every status write for as long as the kernel keeps the connection. Parameters in the URL take precedence.
        hikari.addDataSourceProperty("socketTimeout", "60");
        hikari.addDataSourceProperty("tcpKeepAlive", "true");
        // Start even while the database is still coming up; readiness reports it.
        hikari.setInitializationFailTimeout(-1);
        return new HikariDataSource(hikari);
    }

    public static Properties consumer(GatewayConfig.Kafka kafka, String groupId) {
        Duration session = kafka.sessionTimeout();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        // The classic protocol with cooperative rebalancing: only the partitions that move are revoked, and its
        // consumer waits in poll() where the KIP-848 consumer (Kafka 4.3) spins a core at high fetch rates.
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(session.toMillis()));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Long.toString(Math.max(500, session.toMillis() / 3)));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        // A fetch answers once 4 KiB are there or kafka.fetchWait (10 ms) has passed: at a steady few thousand events
        // a second the broker answers hundreds of fetches a second instead of one per event (against a fetch per
        // event, the end-to-end p99 at half the saturation rate fell from 1.2-1.6 s to 230-260 ms, with the broker on
        // the same two cores), and an idle gateway asks a hundred times a second (in the benchmark's idle phase, about
        // 20 ms of its CPU a second and 60 of the broker's more than a 500 ms wait costs). 4 KiB rather than 16: at
        // 5,000 small events a second an event waited 8 ms for its fetch at the median instead of 1.4-2 (p99 at half
        // rate 39-51 ms against 16-32 in two pairs of runs, the broker's CPU per event the same). A backlog fills a
        // fetch at once.
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "4096");
        p.put(
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                Long.toString(kafka.fetchWait().toMillis()));
        p.put(
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                Long.toString(kafka.maxPollInterval().toMillis()));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    /**
     * The console's reader of the core's journals: a trickle, so a fetch waits up to Kafka's default half second
     * rather than 10 ms (an idle consumer asked the broker a hundred times a second: 5 % of the gateway's CPU in the
     * small-message benchmark).
     */
    public static Properties journalConsumer(GatewayConfig.Kafka kafka) {
        Properties p = consumer(kafka, kafka.groupId() + "-console-journals");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "500");
        return p;
    }

    public static Properties producer(GatewayConfig.Kafka kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }
}

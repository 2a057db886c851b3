package dev.plumber.testkit;

import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.embedded.EmbeddedPostgres;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An embedded PostgreSQL and a Kafka broker shared by the tests of one class: registered as a
 * {@code @RegisterExtension static final} field, it starts both before the first test and stops them after the last.
 */
public final class PostgresAndKafka<K extends AutoCloseable> implements BeforeAllCallback, AfterAllCallback {
    private final Callable<K> launchKafka;
    private final Function<K, String> bootstrapServers;
    private EmbeddedPostgres postgres;
    private K kafka;

    private PostgresAndKafka(Callable<K> launchKafka, Function<K, String> bootstrapServers) {
        this.launchKafka = launchKafka;
        this.bootstrapServers = bootstrapServers;
    }

    /** With a broker inside this JVM. */
    public static PostgresAndKafka<EmbeddedKafka> withEmbeddedKafka() {
        return new PostgresAndKafka<>(EmbeddedKafka::start, EmbeddedKafka::bootstrapServers);
    }

    /** With a broker in a child process, which a test can kill and start again for an outage. */
    public static PostgresAndKafka<KafkaBrokerProcess> withKafkaProcess() {
        return new PostgresAndKafka<>(KafkaBrokerProcess::launch, KafkaBrokerProcess::bootstrapServers);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        postgres = EmbeddedPostgres.start();
        kafka = launchKafka.call();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            kafka = null;
            if (postgres != null) {
                postgres.close();
                postgres = null;
            }
        }
    }

    public EmbeddedPostgres postgres() {
        return postgres;
    }

    public K kafka() {
        return kafka;
    }

    public String bootstrapServers() {
        return bootstrapServers.apply(kafka);
    }
}

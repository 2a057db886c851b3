package dev.plumber.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.plumber.gateway.Connections;
import dev.plumber.intake.DeadLetterReplay;
import dev.plumber.settings.GatewayConfig;
import dev.plumber.status.StatusStore;
import java.io.File;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plumber dlq replay}: re-queue dead letters after a fix. */
@Command(
        name = "dlq",
        mixinStandardHelpOptions = true,
        description = "Dead-letter topic tools.",
        subcommands = DlqCommand.Replay.class)
final class DlqCommand extends CommandGroup {

    @Command(
            name = "replay",
            mixinStandardHelpOptions = true,
            description =
                    "Re-queue every dead letter not replayed before onto its original topic and re-open its status.")
    static final class Replay implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "The gateway's plumber.yml.")
        File config;

        @Override
        public Integer call() throws Exception {
            GatewayConfig cfg = GatewayConfig.load(config.toPath());
            GatewayConfig.Kafka kafka = cfg.kafka();
            try (HikariDataSource dataSource = Connections.dataSource(cfg.store());
                    KafkaConsumer<byte[], byte[]> consumer =
                            new KafkaConsumer<>(Connections.consumer(kafka, kafka.groupId() + "-dlq-replay"));
                    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Connections.producer(kafka));
                    StatusStore store = new StatusStore(dataSource, Clock.systemUTC())) {
                long replayed = new DeadLetterReplay(
                                consumer,
                                producer,
                                store,
                                kafka.topics().deadLetter(),
                                kafka.topics().requests())
                        .replayAll(Duration.ofSeconds(2));
                System.out.println("replayed " + replayed + " dead letter(s) from "
                        + kafka.topics().deadLetter());
            }
            return 0;
        }
    }
}

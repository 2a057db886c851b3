package dev.plumber.embedded;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** A single-node KRaft Kafka broker inside this JVM, for the demo and for integration tests. */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Starts the broker; its data lives in a new temporary directory that {@link #close()} deletes. */
    public static EmbeddedKafka start() throws Exception {
        // Our own directory: otherwise the test kit makes one that a JVM shutdown hook of its own deletes, at the
        // same time as other hooks may still be stopping the broker, which then halts the JVM with status 1 ("all
        // log dirs have failed").
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setBaseDirectory(Files.createTempDirectory("plumber-kafka-"))
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .build())
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .build();
        try {
            formatQuietly(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new EmbeddedKafka(cluster);
    }

    /**
     * The test kit's storage formatter prints the bootstrap records and each directory it formats to standard output,
     * which would be the demo's first lines. Whatever else writes there meanwhile (nothing in the demo, which starts
     * the broker first) is dropped with them.
     */
    private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        synchronized (EmbeddedKafka.class) {
            PrintStream out = System.out;
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            try {
                cluster.format();
            } finally {
                System.setOut(out);
            }
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}

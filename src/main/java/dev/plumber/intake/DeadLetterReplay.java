package dev.plumber.intake;

import dev.plumber.event.EventCodec;
import dev.plumber.status.StatusStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Re-queues dead letters onto the topic they came from (after a fix), re-opening their {@code FAILED} status so the
 * gateway decides them again. Stops when it has caught up with the dead-letter topic.
 */
public final class DeadLetterReplay {
    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final StatusStore store;
    private final String deadLetterTopic;
    private final String defaultTopic;

    public DeadLetterReplay(
            Consumer<byte[], byte[]> consumer,
            Producer<byte[], byte[]> producer,
            StatusStore store,
            String deadLetterTopic,
            String defaultTopic) {
        this.consumer = consumer;
        this.producer = producer;
        this.store = store;
        this.deadLetterTopic = deadLetterTopic;
        this.defaultTopic = defaultTopic;
    }

    /** Replays every dead letter not replayed before; returns how many. */
    public long replayAll(Duration idle) throws Exception {
        consumer.subscribe(List.of(deadLetterTopic));
        long replayed = 0;
        int idlePolls = 0;
        while (idlePolls < 3) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(idle);
            if (records.isEmpty()) {
                idlePolls++;
                continue;
            }
            idlePolls = 0;
            Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> letter : records) {
                String id = EventCodec.idOf(letter.value());
                if (id != null) {
                    store.reopen(id);
                }
                ProducerRecord<byte[], byte[]> event =
                        new ProducerRecord<>(originalTopic(letter), letter.key(), letter.value());
                for (Header h : letter.headers()) {
                    if (!h.key().startsWith("plumber.")) {
                        event.headers().add(h);
                    }
                }
                producer.send(event).get(30, TimeUnit.SECONDS);
                commits.put(
                        new TopicPartition(letter.topic(), letter.partition()),
                        new OffsetAndMetadata(letter.offset() + 1));
                replayed++;
            }
            consumer.commitSync(commits);
        }
        return replayed;
    }

    private String originalTopic(ConsumerRecord<byte[], byte[]> letter) {
        Header header = letter.headers().lastHeader(DeadLetters.ORIGINAL_TOPIC);
        return header == null ? defaultTopic : new String(header.value(), StandardCharsets.UTF_8);
    }
}

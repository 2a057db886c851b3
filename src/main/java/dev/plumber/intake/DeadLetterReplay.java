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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-queues dead letters onto the topic they came from (after a fix), re-opening their {@code FAILED} status so the
 * gateway decides them again; a letter cut for its size is left, with a log line. Stops when it has caught up with the
 * dead-letter topic.
 */
public final class DeadLetterReplay {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplay.class);

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
                commits.put(
                        new TopicPartition(letter.topic(), letter.partition()),
                        new OffsetAndMetadata(letter.offset() + 1));
                if (DeadLetters.truncated(letter)) {
                    // Only its start is here: re-queued, it would be another, broken event.
                    log.warn(
                            "dead letter {}-{}@{} holds only the start of its event, which is not replayed; the whole"
                                    + " is at {}-{}@{}",
                            letter.topic(),
                            letter.partition(),
                            letter.offset(),
                            header(letter, DeadLetters.ORIGINAL_TOPIC),
                            header(letter, DeadLetters.ORIGINAL_PARTITION),
                            header(letter, DeadLetters.ORIGINAL_OFFSET));
                    continue;
                }
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
                replayed++;
            }
            consumer.commitSync(commits);
        }
        return replayed;
    }

    private String originalTopic(ConsumerRecord<byte[], byte[]> letter) {
        String topic = header(letter, DeadLetters.ORIGINAL_TOPIC);
        return topic == null ? defaultTopic : topic;
    }

    private static String header(ConsumerRecord<byte[], byte[]> letter, String name) {
        Header header = letter.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}

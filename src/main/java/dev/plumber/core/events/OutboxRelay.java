package dev.plumber.core.events;

import dev.plumber.core.store.Database;
import dev.plumber.core.store.MessageCipher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends outbox rows to Kafka in id order on a virtual thread and deletes each row once the broker acknowledged it,
 * so events written while Kafka is down go out when it is back. Delivery is at least once: a crash between the ack
 * and the delete sends a row again, with the same event id (the gateway keys its status by that id).
 */
public final class OutboxRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final int BATCH = 100;

    private final Database db;
    private final MessageCipher cipher;
    private final Producer<String, byte[]> producer;
    private final Duration pollInterval;
    private final Duration retryDelay;
    private final Semaphore wakeUp = new Semaphore(0);
    private volatile boolean running = true;
    private final Thread thread;

    OutboxRelay(
            Database db,
            MessageCipher cipher,
            Producer<String, byte[]> producer,
            Duration pollInterval,
            Duration retryDelay) {
        this.db = db;
        this.cipher = cipher;
        this.producer = producer;
        this.pollInterval = pollInterval;
        this.retryDelay = retryDelay;
        this.thread = Thread.ofVirtual().name("core-outbox-relay").unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Asks the relay to look at the outbox now (after a transaction that added rows committed). */
    void wake() {
        if (wakeUp.availablePermits() == 0) {
            wakeUp.release();
        }
    }

    private void run() {
        while (running) {
            Duration wait = pollInterval;
            try {
                int sent = relayOnce();
                if (sent == BATCH) {
                    continue;
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                LOG.warn(
                        "outbox relay: Kafka or the database is unavailable, retrying in {}: {}",
                        retryDelay,
                        e.toString());
                wait = retryDelay;
            }
            try {
                wakeUp.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
                wakeUp.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Sends one batch and deletes what Kafka acknowledged, in one transaction that holds an advisory lock: with
     * several cores on one database only one relays at a time, so rows are neither sent twice nor reordered.
     */
    int relayOnce() throws Exception {
        Exception[] failure = {null};
        int sent = db.inTransaction(c -> {
            if (!Outbox.tryLock(c)) {
                return 0;
            }
            List<Outbox.Row> rows = Outbox.oldest(c, BATCH);
            List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
            for (Outbox.Row row : rows) {
                byte[] value = cipher.decrypt(row.value(), Outbox.associatedData(row.topic(), row.key()));
                acks.add(producer.send(new ProducerRecord<>(row.topic(), row.key(), value)));
            }
            List<Long> acked = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size() && failure[0] == null; i++) {
                try {
                    acks.get(i).get();
                    acked.add(rows.get(i).id());
                } catch (ExecutionException e) {
                    failure[0] = e;
                } catch (InterruptedException e) {
                    // Keep what was acknowledged; the run loop sees the failure and stops when closing.
                    failure[0] = e;
                }
            }
            if (!acked.isEmpty()) {
                Outbox.delete(c, acked);
            }
            return acked.size();
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        return sent;
    }

    @Override
    public void close() {
        running = false;
        wakeUp.release();
        try {
            // An interrupt breaks a JDBC connection in use, so it is only for a relay stuck waiting on Kafka.
            if (!thread.join(Duration.ofSeconds(2))) {
                thread.interrupt();
                thread.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(2));
    }
}

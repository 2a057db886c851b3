package dev.plumber.core.events;

import dev.plumber.core.store.Database;
import dev.plumber.core.store.MessageCipher;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends outbox rows to Kafka in id order on a virtual thread and deletes each row once the broker acknowledged it,
 * so events written while Kafka is down go out when it is back. Delivery is at least once: a crash between the ack
 * and the delete sends a row again, with the same event id (the gateway keys its status by that id). A row Kafka
 * refuses for good (too large, invalid topic) is moved to {@code core.outbox_parked} with the reason, and logged;
 * {@link ParkedEvents#requeue} puts it back once the cause is fixed.
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
    /** Rows Kafka acknowledged and rows parked, counted once their leaving the outbox committed. */
    private final AtomicLong sent = new AtomicLong();

    private final AtomicLong parked = new AtomicLong();

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

    /** Whether the relay's thread runs: it ends only with {@link #close()}, or on an error no retry could mend. */
    boolean isRunning() {
        return thread.isAlive();
    }

    /** Rows sent since start: acknowledged by Kafka and deleted from the outbox. */
    long sent() {
        return sent.get();
    }

    /** Rows parked since start by this relay. */
    long parked() {
        return parked.get();
    }

    /** Asks the relay to look at the outbox now (after a transaction that added rows committed). */
    void wake() {
        if (wakeUp.availablePermits() == 0) {
            wakeUp.release();
        }
    }

    private void run() {
        try {
            relayUntilClosed();
        } catch (Error e) {
            LOG.error("outbox relay stopped; events wait in the outbox until the core restarts", e);
            throw e;
        }
    }

    private void relayUntilClosed() {
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
     * several cores on one database only one relays at a time, so rows are neither sent twice nor reordered. A row
     * Kafka refuses for good is parked (see {@link #refusedForGood}) and the rows behind it go on; at the first other
     * failure the batch stops, so a row is never overtaken by a later one of its key, and is retried as it was.
     * Returns the number of rows sent or parked.
     */
    int relayOnce() throws Exception {
        Exception[] failure = {null};
        int[] parkedNow = {0};
        int done = db.inTransaction(c -> {
            if (!Outbox.tryLock(c)) {
                return 0;
            }
            List<Outbox.Row> rows = Outbox.oldest(c, BATCH);
            List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
            for (Outbox.Row row : rows) {
                acks.add(producer.send(new ProducerRecord<>(row.topic(), row.key(), Outbox.open(cipher, row))));
            }
            List<Long> acked = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size() && failure[0] == null; i++) {
                Outbox.Row row = rows.get(i);
                try {
                    acks.get(i).get();
                    acked.add(row.id());
                } catch (ExecutionException e) {
                    if (refusedForGood(e.getCause())) {
                        park(c, row, e.getCause());
                        parkedNow[0]++;
                    } else {
                        failure[0] = e;
                    }
                } catch (InterruptedException e) {
                    // Keep what was acknowledged; the run loop sees the failure and stops when closing.
                    failure[0] = e;
                }
            }
            if (!acked.isEmpty()) {
                Outbox.delete(c, acked);
            }
            return acked.size() + parkedNow[0];
        });
        sent.addAndGet(done - parkedNow[0]);
        parked.addAndGet(parkedNow[0]);
        if (failure[0] != null) {
            throw failure[0];
        }
        return done;
    }

    /**
     * Errors about the record itself, which every retry would meet again: left in the outbox, such a row would hold
     * up every row behind it for ever. Anything else (broker down, timeouts, authorisation) is about Kafka and retried.
     */
    static boolean refusedForGood(Throwable error) {
        return error instanceof RecordTooLargeException
                || error instanceof RecordBatchTooLargeException
                || error instanceof InvalidTopicException
                || error instanceof InvalidRecordException;
    }

    private static void park(Connection c, Outbox.Row row, Throwable reason) throws SQLException {
        LOG.error(
                "outbox relay: Kafka refused row {} (topic {}, key {}, {} bytes) for good, parked in"
                        + " core.outbox_parked (once the cause is fixed, 'plumber outbox requeue-parked' sends it"
                        + " again): {}",
                row.id(),
                row.topic(),
                Outbox.shortKey(row.key()),
                row.value().length,
                reason.toString());
        Outbox.park(c, row.id(), reason.toString());
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

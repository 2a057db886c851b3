package dev.plumber.core.events;

import dev.plumber.core.CoreConfig;
import dev.plumber.core.RequestRefused;
import dev.plumber.core.store.Database;
import dev.plumber.core.store.MessageCipher;
import dev.plumber.event.DlpEvent;
import dev.plumber.event.EventCodec;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Where the seed's flags take effect: each message or file event is dropped ({@code gbld.check_dlp} /
 * {@code DLP.isActive} off), produced and awaited before the user's write is kept ({@code gbld.check_dlp_sync} /
 * {@code DLP.syncSend} on), or written to the outbox in the user's transaction for the relay to send.
 */
public final class DlpEvents implements AutoCloseable {
    private final String topic;
    private final CoreConfig.Gbld messages;
    private final CoreConfig.Dlp files;
    private final Duration timeout;
    private final Database db;
    private final MessageCipher cipher;
    private final Producer<String, byte[]> syncProducer;
    private final OutboxRelay relay;

    DlpEvents(
            CoreConfig config,
            Database db,
            MessageCipher cipher,
            Producer<String, byte[]> syncProducer,
            OutboxRelay relay) {
        this.topic = config.kafka().topics().requests();
        this.messages = config.gbld();
        this.files = config.dlp();
        this.timeout = config.resortClient().timeout();
        this.db = db;
        this.cipher = cipher;
        this.syncProducer = syncProducer;
        this.relay = relay;
    }

    /** Creates the producers and starts the outbox relay. */
    public static DlpEvents start(CoreConfig config, Database db, MessageCipher cipher) {
        String servers = config.kafka().bootstrapServers();
        OutboxRelay relay =
                new OutboxRelay(db, cipher, Producers.relay(servers), Duration.ofSeconds(1), Duration.ofSeconds(1));
        relay.start();
        return new DlpEvents(
                config,
                db,
                cipher,
                Producers.synchronous(servers, config.resortClient().timeout()),
                relay);
    }

    /** The journals, sharing this outbox and its relay. */
    public Journal journal(Database db, CoreConfig.Topics topics, Clock clock) {
        return new Journal(db, cipher, relay, topics, clock);
    }

    /** Whether the outbox relay runs (it stops with the core, or on an error no retry could mend; logged). */
    public boolean relayRunning() {
        return relay.isRunning();
    }

    /** Outbox rows the relay sent since start: acknowledged by Kafka and deleted from the outbox. */
    public long relayed() {
        return relay.sent();
    }

    /** Outbox rows the relay parked since start, Kafka having refused them for good. */
    public long parked() {
        return relay.parked();
    }

    /**
     * Runs {@code store}, the transaction that keeps the message {@code event} describes, together with the event.
     *
     * <p>With {@code gbld.check_dlp_sync} on, the event is produced and acknowledged first, with no database
     * connection held while the broker answers, and {@code store} runs only then: a refused event stores nothing
     * ({@link QueueUnavailableException}), and a {@code store} that fails after the acknowledgement leaves the DLP one
     * event too many, never one too few. The event's check row is written before the produce, so a verdict arriving
     * at once always finds it. Otherwise {@code store} and the outbox row share one transaction.
     */
    public <T> T message(MessageEvent event, Database.Work<T> store) throws SQLException {
        if (!messages.checkDlp()) {
            return db.inTransaction(store);
        }
        byte[] value = encode(event);
        if (messages.checkDlpSync()) {
            announce(event, value);
            return db.inTransaction(store);
        }
        T stored = db.inTransaction(tx -> {
            T result = store.run(tx);
            publish(tx, event, value, false);
            return result;
        });
        relay.wake();
        return stored;
    }

    /**
     * Call inside the transaction that records the upload. A synchronous file event is produced inside it, after the
     * file is on disk: the gateway fetches the content as soon as it sees the event.
     */
    public void file(Connection tx, FileEvent event) throws SQLException {
        if (files.isActive()) {
            publish(tx, event, encode(event), files.syncSend());
        }
    }

    /** Call after a transaction that may have written outbox rows committed, so they go out without delay. */
    public void committed() {
        relay.wake();
    }

    /**
     * The event's value, refused when the gateway would refuse it ({@link EventCodec#MAX_VALUE_BYTES}): it would mark
     * the event malformed and the message would reach its recipients unchecked. A message's length limit counts
     * characters, and one character takes up to 6 bytes in the event (a control character is written as a 6-byte escape).
     */
    private static byte[] encode(DlpEvent event) {
        byte[] value = EventCodec.encode(event);
        if (value.length > EventCodec.MAX_VALUE_BYTES) {
            throw new RequestRefused(
                    RequestRefused.Reason.TOO_LARGE,
                    (event instanceof MessageEvent ? "text" : "the file's name")
                            + " is too large to be checked by the DLP: its event would be " + value.length
                            + " bytes, at most " + EventCodec.MAX_VALUE_BYTES + " are accepted");
        }
        return value;
    }

    private void publish(Connection tx, DlpEvent event, byte[] value, boolean sync) throws SQLException {
        DlpChecks.expect(tx, event);
        if (sync) {
            produceNow(event.key(), value);
        } else {
            Outbox.add(tx, cipher, topic, event.key(), value);
        }
    }

    private void announce(DlpEvent event, byte[] value) throws SQLException {
        db.autoCommit(c -> {
            DlpChecks.expect(c, event);
            return null;
        });
        try {
            produceNow(event.key(), value);
        } catch (QueueUnavailableException e) {
            try {
                db.autoCommit(c -> DlpChecks.forget(c, event));
            } catch (SQLException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void produceNow(String key, byte[] value) {
        try {
            syncProducer.send(new ProducerRecord<>(topic, key, value)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException | RuntimeException e) {
            throw new QueueUnavailableException("the DLP queue did not acknowledge the event within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueueUnavailableException("interrupted while waiting for the DLP queue", e);
        }
    }

    @Override
    public void close() {
        relay.close();
        syncProducer.close(Duration.ofSeconds(1));
    }
}

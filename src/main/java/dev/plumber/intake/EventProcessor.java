package dev.plumber.intake;

import dev.plumber.delivery.DeliveryException;
import dev.plumber.delivery.DeliveryPolicy;
import dev.plumber.delivery.Verdict;
import dev.plumber.event.DlpEvent;
import dev.plumber.event.EventCodec;
import dev.plumber.event.MalformedEventException;
import dev.plumber.event.MessageEvent;
import dev.plumber.metrics.Meters;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSettingsSource;
import dev.plumber.status.KafkaCoordinates;
import dev.plumber.status.Status;
import dev.plumber.status.StatusPublisher;
import dev.plumber.status.StatusStore;
import dev.plumber.status.StatusStore.Change;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one consumed record to a terminal status that is durable, or says it must be tried again later. Permanent
 * failures are dead-lettered before their status is written, so a crash in between re-delivers rather than loses.
 */
public final class EventProcessor implements RecordHandler {
    private static final Logger log = LoggerFactory.getLogger(EventProcessor.class);

    /** How long a DLP call runs before its SENDING status is written: most calls are answered well before. */
    public static final Duration SENDING_AFTER = Duration.ofMillis(50);

    /** Event ids decided here that are remembered, so that one produced twice is not sent twice (2 MiB of heap). */
    private static final int RECENT_IDS = 1 << 16;

    /** Failures are few; so are the ids of failed events remembered (64 KiB of heap). */
    private static final int RECENT_FAILED_IDS = 1 << 11;

    /** What became of a record: done (terminal and durable) or to be tried again after a pause. */
    public enum Result {
        DONE,
        RETRY_LATER
    }

    private final StatusStore store;
    private final StatusPublisher publisher;
    private final DeadLetters deadLetters;
    private final DeliveryPolicy policy;
    private final DlpSettingsSource settings;
    private final Meters meters;
    private final Clock clock;
    private final SendingMarks sendingMarks;
    private final RecentIds recentlyDecided = new RecentIds(RECENT_IDS);
    /** Event ids failed here lately, which may be re-opened for a replay: a record with one of them is looked up. */
    private final RecentIds recentlyFailed = new RecentIds(RECENT_FAILED_IDS);

    public EventProcessor(
            StatusStore store,
            StatusPublisher publisher,
            DeadLetters deadLetters,
            DeliveryPolicy policy,
            DlpSettingsSource settings,
            Meters meters,
            Clock clock,
            Duration sendingAfter) {
        this.store = store;
        this.publisher = publisher;
        this.deadLetters = deadLetters;
        this.policy = policy;
        this.settings = settings;
        this.meters = meters;
        this.clock = clock;
        this.sendingMarks = new SendingMarks(sendingAfter);
    }

    /**
     * Never fails: any failure of our own infrastructure (database, broker) means "try again later". The result
     * completes once the outcome's status is durable and told to the core, as a rule on the status flusher's thread.
     */
    @Override
    public CompletableFuture<Result> process(
            ConsumerRecord<byte[], byte[]> record, Duration retryDelay, boolean seenBefore) {
        KafkaCoordinates at = new KafkaCoordinates(record.topic(), record.partition(), record.offset());
        Instant received = clock.instant();
        try {
            DlpEvent event;
            try {
                event = EventCodec.decode(record.value());
            } catch (MalformedEventException e) {
                return CompletableFuture.completedFuture(malformed(record, at, received, e));
            }
            return deliver(record, at, received, event, retryDelay, seenBefore);
        } catch (Exception e) {
            return CompletableFuture.completedFuture(retryLater(at, e));
        }
    }

    private Result retryLater(KafkaCoordinates at, Throwable e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        log.warn("event at {}-{}@{} will be retried", at.topic(), at.partition(), at.offset(), e);
        meters.retry("infrastructure");
        return Result.RETRY_LATER;
    }

    /**
     * A record that cannot be read is not the event whose id it may carry: it is dead-lettered and logged whatever
     * that id's row says, and its row is keyed by its id only when no other record holds that row, else by where it
     * sits. Only a re-delivery of the record itself, which finds its own row decided, is dropped.
     */
    private Result malformed(
            ConsumerRecord<byte[], byte[]> record, KafkaCoordinates at, Instant received, MalformedEventException e)
            throws Exception {
        String ownId = EventCodec.idOf(record.value());
        String placeId = placeId(at);
        if (ownId != null && decidedHere(ownId, at) || timed("lookup", () -> store.decided(placeId))) {
            return Result.DONE;
        }
        deadLetters.send(record, "MalformedEvent", e.getMessage(), "decode", 0);
        log.warn(
                "malformed event at {}-{}@{} sent to the dead-letter topic: {}",
                at.topic(),
                at.partition(),
                at.offset(),
                e.getMessage());
        meters.deadLetter("decode");
        String reason = "malformed event: " + e.getMessage();
        Change failed = Change.decided(Status.FAILED, reason, null, e.getMessage());
        // A malformed record's write never takes over the row of an event that could be read (GroupCommit).
        String id = ownId;
        boolean written = ownId != null && timed("write", () -> store.writeMalformed(ownId, at, received, failed));
        if (ownId != null && !written) {
            log.warn(
                    "malformed event at {}-{}@{} carries the id {} of another record; its status is kept as {}",
                    at.topic(),
                    at.partition(),
                    at.offset(),
                    ownId,
                    placeId);
        }
        if (!written) {
            id = placeId;
            written = timed("write", () -> store.writeMalformed(placeId, at, received, failed));
        }
        if (written) {
            UUID eventId = id.equals(ownId) ? eventId(ownId) : null;
            if (eventId != null) {
                recentlyFailed.add(eventId);
            }
            published(id, Status.FAILED, "malformed", null, null, reason);
        }
        return Result.DONE;
    }

    /** The UUID whose row an event that can be read would share with {@code id}, or null. */
    private static UUID eventId(String id) {
        try {
            UUID uuid = UUID.fromString(id);
            return uuid.toString().equals(id) ? uuid : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether the row of {@code id} is decided and was written for the record at {@code at}. */
    private boolean decidedHere(String id, KafkaCoordinates at) throws SQLException {
        return timed("lookup", () -> store.find(id))
                .filter(row -> row.status().terminal()
                        && at.topic().equals(row.topic())
                        && row.partition() == at.partition()
                        && row.offset() == at.offset())
                .isPresent();
    }

    /** An id derived from where a record sits, for a record whose own id keys no row of its own. */
    private static String placeId(KafkaCoordinates at) {
        return UUID.nameUUIDFromBytes(
                        (at.topic() + "/" + at.partition() + "/" + at.offset()).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    private CompletableFuture<Result> deliver(
            ConsumerRecord<byte[], byte[]> record,
            KafkaCoordinates at,
            Instant received,
            DlpEvent event,
            Duration retryDelay,
            boolean seenBefore)
            throws Exception {
        Optional<DlpSettings> current = settings.current();
        if (current.isEmpty()) {
            meters.retry("settings");
            Change retrying = Change.retrying(
                    "no valid DLP settings: " + settings.problem(),
                    clock.instant().plus(retryDelay));
            return CompletableFuture.completedFuture(
                    write(event, at, received, retrying) ? Result.RETRY_LATER : Result.DONE);
        }
        String id = event.id().toString();
        // Decided before — fetched again, or produced twice — it is never sent again. A record fetched for the first
        // time that this gateway has not just decided needs no look-up: its outcome is then its only status write. An
        // id failed here lately is looked up, as its row may have been re-opened for a replay since.
        if (recentlyDecided.contains(event.id())
                || (seenBefore || recentlyFailed.contains(event.id())) && timed("lookup", () -> store.decided(id))) {
            if (!seenBefore) {
                log.info(
                        "event {} at {}-{}@{} was decided before; it is not sent again",
                        id,
                        at.topic(),
                        at.partition(),
                        at.offset());
            }
            return CompletableFuture.completedFuture(Result.DONE);
        }
        DlpSettings dlp = current.get();
        Optional<String> skipped = policy.skipped(event, dlp);
        if (skipped.isPresent()) {
            // Not sent, by configuration: decided here, with no DLP call to count.
            write(event, at, received, Change.decided(Status.SKIPPED, skipped.get(), null, null));
            return CompletableFuture.completedFuture(Result.DONE);
        }
        String system = dlp.system().key();
        String address = dlp.address();
        SendingMarks.Mark sending =
                sendingMarks.mark(() -> write(event, at, received, Change.sending(system, address)));
        Change outcome;
        boolean sendingWritten;
        try {
            Verdict verdict = policy.deliver(event, dlp, sending::start);
            outcome = Change.decided(
                    Status.valueOf(verdict.outcome().name()), verdict.reason(), verdict.reference(), null);
        } catch (DeliveryException e) {
            if (e.permanent()) {
                deadLetters.send(record, errorClass(e), e.getMessage(), e.stage(), 1);
                log.warn(
                        "event {} failed permanently at stage {}, sent to the dead-letter topic: {}",
                        id,
                        e.stage(),
                        e.getMessage());
                meters.deadLetter(e.stage());
                outcome = Change.decided(Status.FAILED, e.getMessage(), null, e.getMessage());
            } else {
                meters.retry(e.stage());
                outcome = Change.retrying(e.getMessage(), clock.instant().plus(retryDelay));
            }
        } finally {
            sendingWritten = sending.settle(); // however the call ended, no SENDING is written after it
        }
        // The attempt is counted once: by the SENDING row written while the call ran, or else by this write.
        Change last = sendingWritten ? outcome : outcome.attempt(system, address);
        // What follows the write runs on the status flusher's thread once it commits: the worker ends here instead of
        // parking until it is woken for it. A publish that blocks (the producer's buffer full, the status topic's
        // metadata missing) holds that flusher's next batch, not only this event.
        long start = System.nanoTime();
        return store.writeAsync(event, at, received, last)
                .exceptionallyCompose(failure -> StatusStore.refusal(failure)
                        .map(refusal -> withoutItsFields(event, at, received, last, refusal))
                        .orElseGet(() -> CompletableFuture.failedFuture(failure)))
                .handle((written, failure) -> {
                    meters.statusWait("write", System.nanoTime() - start);
                    if (failure != null) {
                        return retryLater(at, failure);
                    }
                    try {
                        if (written) {
                            announce(event, last);
                        } else if (last.status().terminal()) {
                            unrecorded(event, at, last);
                        }
                    } catch (RuntimeException e) {
                        return retryLater(at, e);
                    }
                    return written && !last.status().terminal() ? Result.RETRY_LATER : Result.DONE;
                });
    }

    /**
     * An outcome for an event whose row was decided meanwhile — by another record with its id, which was not known
     * when this one was sent — is not recorded: an event has one decision. It is not dropped unseen.
     */
    private void unrecorded(DlpEvent event, KafkaCoordinates at, Change outcome) {
        log.warn(
                "event {} at {}-{}@{}: its outcome {} ({}) is not recorded, as its id was decided before by another"
                        + " record",
                event.id(),
                at.topic(),
                at.partition(),
                at.offset(),
                outcome.status(),
                outcome.reason());
        meters.unrecorded(outcome.status());
    }

    /**
     * The database refused the event's row, and would every time: its status goes without the event's own fields, so
     * that its outcome is kept and its partition moves on.
     */
    private CompletableFuture<Boolean> withoutItsFields(
            DlpEvent event, KafkaCoordinates at, Instant received, Change change, SQLException refusal) {
        // The first line only: PostgreSQL's detail of a constraint's refusal lists the whole row.
        String error = String.valueOf(refusal.getMessage()).lines().findFirst().orElse("");
        String why = "the status store refused the event's row, written again without its fields: " + error;
        log.warn("event {}: {}", event.id(), why);
        return store.writeWithoutItsFieldsAsync(event, at, received, change, why);
    }

    /** Writes the change and, unless the event was decided before, tells the core; returns whether it was written. */
    private boolean write(DlpEvent event, KafkaCoordinates at, Instant received, Change change) throws Exception {
        if (!timed("write", () -> store.write(event, at, received, change))) {
            return false;
        }
        announce(event, change);
        return true;
    }

    /** Tells the core of a change written, and counts and remembers a decision. */
    private void announce(DlpEvent event, Change change) {
        String type = event instanceof MessageEvent ? "message" : "file";
        Long mid = event instanceof MessageEvent m ? m.mid() : null;
        String chat = event instanceof MessageEvent m ? m.chat() : null;
        String id = event.id().toString();
        if (change.status().terminal()) {
            // A failed event may be re-opened and replayed: its id is looked up again rather than taken as decided.
            (change.status() == Status.FAILED ? recentlyFailed : recentlyDecided).add(event.id());
            published(id, change.status(), type, mid, chat, change.reason());
        } else {
            publisher.publish(id, change.status(), type, mid, chat, change.error());
        }
    }

    /** A call to the status store, timed as {@code op} ({@code plumber_status_wait_seconds}). */
    private <T> T timed(String op, StoreCall<T> call) throws SQLException {
        long start = System.nanoTime();
        try {
            return call.call();
        } finally {
            meters.statusWait(op, System.nanoTime() - start);
        }
    }

    @FunctionalInterface
    private interface StoreCall<T> {
        T call() throws SQLException;
    }

    /** A decision written: counted and told to the core. */
    private void published(String id, Status status, String type, Long mid, String chat, String reason) {
        meters.terminal(status);
        publisher.publish(id, status, type, mid, chat, reason);
    }

    private static String errorClass(DeliveryException e) {
        return e.getCause() == null
                ? "DeliveryException"
                : e.getCause().getClass().getSimpleName();
    }
}

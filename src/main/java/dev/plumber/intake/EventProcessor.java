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
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one consumed record to a terminal status that is durable, or says it must be tried again later. Permanent
 * failures are dead-lettered before their status is written, so a crash in between re-delivers rather than loses.
 */
public final class EventProcessor implements RecordHandler {
    private static final Logger log = LoggerFactory.getLogger(EventProcessor.class);

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

    public EventProcessor(
            StatusStore store,
            StatusPublisher publisher,
            DeadLetters deadLetters,
            DeliveryPolicy policy,
            DlpSettingsSource settings,
            Meters meters,
            Clock clock) {
        this.store = store;
        this.publisher = publisher;
        this.deadLetters = deadLetters;
        this.policy = policy;
        this.settings = settings;
        this.meters = meters;
        this.clock = clock;
    }

    /** Never throws: any failure of our own infrastructure (database, broker) means "try again later". */
    @Override
    public Result process(ConsumerRecord<byte[], byte[]> record, Duration retryDelay) {
        KafkaCoordinates at = new KafkaCoordinates(record.topic(), record.partition(), record.offset());
        try {
            DlpEvent event;
            try {
                event = EventCodec.decode(record.value());
            } catch (MalformedEventException e) {
                return malformed(record, at, e);
            }
            return deliver(record, at, event, retryDelay);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("event at {}-{}@{} will be retried", at.topic(), at.partition(), at.offset(), e);
            meters.retry("infrastructure");
            return Result.RETRY_LATER;
        }
    }

    private Result malformed(ConsumerRecord<byte[], byte[]> record, KafkaCoordinates at, MalformedEventException e)
            throws Exception {
        String id = EventCodec.idOf(record.value());
        if (id == null) {
            // No id of its own: one derived from where it sits, so a re-delivery finds the same row.
            id = UUID.nameUUIDFromBytes(
                            (at.topic() + "/" + at.partition() + "/" + at.offset()).getBytes(StandardCharsets.UTF_8))
                    .toString();
        }
        if (store.receiveMalformed(id, at).terminal()) {
            return Result.DONE;
        }
        log.warn(
                "malformed event at {}-{}@{} sent to the dead-letter topic: {}",
                at.topic(),
                at.partition(),
                at.offset(),
                e.getMessage());
        deadLetters.send(record, "MalformedEvent", e.getMessage(), "decode", 0);
        meters.deadLetter("decode");
        String reason = "malformed event: " + e.getMessage();
        if (store.complete(id, Status.FAILED, reason, null, e.getMessage())) {
            published(id, Status.FAILED, "malformed", null, null, reason);
        }
        return Result.DONE;
    }

    private Result deliver(
            ConsumerRecord<byte[], byte[]> record, KafkaCoordinates at, DlpEvent event, Duration retryDelay)
            throws Exception {
        String id = event.id().toString();
        String type = event instanceof MessageEvent ? "message" : "file";
        Long mid = event instanceof MessageEvent m ? m.mid() : null;
        String chat = event instanceof MessageEvent m ? m.chat() : null;
        Optional<DlpSettings> current = settings.current();
        if (current.isEmpty()) {
            if (store.receive(event, at).terminal()) {
                return Result.DONE;
            }
            meters.retry("settings");
            store.retrying(
                    id,
                    "no valid DLP settings: " + settings.problem(),
                    clock.instant().plus(retryDelay));
            publisher.publish(id, Status.RETRYING, type, mid, chat, null);
            return Result.RETRY_LATER;
        }
        DlpSettings dlp = current.get();
        if (store.sending(event, at, dlp.system().key(), dlp.address()).terminal()) {
            return Result.DONE; // decided before: a re-delivery is never sent twice
        }
        publisher.publish(id, Status.SENDING, type, mid, chat, null);
        try {
            Verdict verdict = policy.deliver(event, dlp);
            Status status = Status.valueOf(verdict.outcome().name());
            finish(event, status, verdict.reason(), verdict.reference(), null, type, mid, chat);
            return Result.DONE;
        } catch (DeliveryException e) {
            if (!e.permanent()) {
                meters.retry(e.stage());
                store.retrying(id, e.getMessage(), clock.instant().plus(retryDelay));
                publisher.publish(id, Status.RETRYING, type, mid, chat, e.getMessage());
                return Result.RETRY_LATER;
            }
            log.warn("event {} failed permanently at stage {}: {}", id, e.stage(), e.getMessage());
            deadLetters.send(record, errorClass(e), e.getMessage(), e.stage(), 1);
            meters.deadLetter(e.stage());
            finish(event, Status.FAILED, e.getMessage(), null, e.getMessage(), type, mid, chat);
            return Result.DONE;
        }
    }

    private void finish(
            DlpEvent event,
            Status status,
            String reason,
            String reference,
            String error,
            String type,
            Long mid,
            String chat)
            throws Exception {
        if (store.complete(event, status, reason, reference, error)) {
            published(event.id().toString(), status, type, mid, chat, reason);
        }
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

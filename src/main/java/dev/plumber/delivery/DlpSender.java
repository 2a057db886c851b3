package dev.plumber.delivery;

import dev.plumber.event.DlpEvent;
import dev.plumber.settings.DlpSettings;
import java.util.Optional;

/** Delivers one event to one DLP system and maps its answer to a verdict; it never retries. */
public interface DlpSender extends AutoCloseable {

    Verdict send(DlpEvent event, DlpSettings settings) throws DeliveryException;

    /** Why this sender has stopped sending on its own (e.g. the DLP refused its credentials), or empty; for health. */
    default Optional<String> halted() {
        return Optional.empty();
    }

    /** Body bytes written to the DLP so far, resends included (what counts as a body is the system's own). */
    default long bodyBytesSent() {
        return 0;
    }

    @Override
    default void close() {}
}

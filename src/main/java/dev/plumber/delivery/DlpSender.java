package dev.plumber.delivery;

import dev.plumber.event.DlpEvent;
import dev.plumber.settings.DlpSettings;

/** Delivers one event to one DLP system and maps its answer to a verdict; it never retries. */
public interface DlpSender extends AutoCloseable {

    Verdict send(DlpEvent event, DlpSettings settings) throws DeliveryException;

    @Override
    default void close() {}
}

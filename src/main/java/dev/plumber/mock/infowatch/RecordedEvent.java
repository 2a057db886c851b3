package dev.plumber.mock.infowatch;

import dev.plumber.infowatch.thrift.Event;
import dev.plumber.infowatch.thrift.EventClass;
import java.util.Map;

/**
 * An event the mock accepted ({@code EndEvent} without abort), with what was streamed for each data item.
 *
 * @param tmId the id the mock gave it ({@code GetEventDatabaseId})
 * @param streams per data id: byte count and SHA-256 of the streamed bytes (the bytes themselves are not kept)
 */
public record RecordedEvent(long eventId, String tmId, Event event, Map<Integer, Streamed> streams) {

    /** What one data stream carried. */
    public record Streamed(long bytes, String sha256) {}

    public boolean isChat() {
        return event.getEvt_class() == EventClass.kChat.getValue();
    }

    public boolean isFileExchange() {
        return event.getEvt_class() == EventClass.kFileExchange.getValue();
    }

    /** An event attribute's value, or null. */
    public String attribute(String name) {
        return EventChecks.attribute(event.getEvt_attributes(), name);
    }

    /** The first chat message's text, or null. */
    public String text() {
        return event.getEvt_messages() == null || event.getEvt_messages().isEmpty()
                ? null
                : event.getEvt_messages().getFirst().getUtf8_text();
    }

    /** A data attribute of the first data item, or null. */
    public String dataAttribute(String name) {
        return event.getEvt_data() == null || event.getEvt_data().isEmpty()
                ? null
                : EventChecks.attribute(event.getEvt_data().getFirst().getData_attributes(), name);
    }
}

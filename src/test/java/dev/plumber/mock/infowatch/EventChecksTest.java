package dev.plumber.mock.infowatch;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.infowatch.Capture;
import dev.plumber.infowatch.PushApiEvents;
import dev.plumber.infowatch.thrift.ChatMessage;
import dev.plumber.infowatch.thrift.Event;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventChecksTest {
    private final PushApiEvents events = new PushApiEvents("im_VKteams", "hash_header", new Capture("10.0.0.1", "gw"));

    @Test
    void theEventsThePlumberSenderBuildsPass() {
        assertThatCode(() -> EventChecks.check(events.chat(message()))).doesNotThrowAnyException();
        assertThatCode(() -> EventChecks.check(events.fileExchange(file(), 10))).doesNotThrowAnyException();
    }

    @Test
    void aMissingMandatoryAttributeIsInvalid() {
        Event event = events.chat(message());
        event.getEvt_attributes().removeIf(a -> a.getName().equals("capture_server_fqdn"));

        assertThatThrownBy(() -> EventChecks.check(event)).hasMessageContaining("capture_server_fqdn");
    }

    @Test
    void aMessageFromSomeoneWhoIsNotASenderIsInvalid() {
        Event event = events.chat(message());
        event.setEvt_messages(List.of(new ChatMessage(99, "2026-01-01T00:00:00+00:00", "hi")));

        assertThatThrownBy(() -> EventChecks.check(event)).hasMessageContaining("sender_id 99");
    }

    @Test
    void aFileExchangeWithMessagesOrWithoutDataIsInvalid() {
        Event withMessage = events.fileExchange(file(), 10);
        withMessage.setEvt_messages(List.of(new ChatMessage(1, "2026-01-01T00:00:00+00:00", "hi")));
        Event withoutData = events.fileExchange(file(), 10);
        withoutData.setEvt_data(List.of());

        assertThatThrownBy(() -> EventChecks.check(withMessage)).hasMessageContaining("no messages");
        assertThatThrownBy(() -> EventChecks.check(withoutData)).hasMessageContaining("needs data");
    }

    private static MessageEvent message() {
        return new MessageEvent(
                UUID.randomUUID(), 1, "a@x", "chat", "group", "hi", null, "{}", "10.0.0.5", Instant.now(), false);
    }

    private static FileEvent file() {
        return new FileEvent(UUID.randomUUID(), "h", "f.txt", 10, "text/plain", "a@x", "10.0.0.5", Instant.now());
    }
}

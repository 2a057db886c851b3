package dev.plumber.infowatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.infowatch.thrift.Attribute;
import dev.plumber.infowatch.thrift.Event;
import dev.plumber.infowatch.thrift.EventClass;
import dev.plumber.infowatch.thrift.IdentityItemType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PushApiEventsTest {
    private static final Instant TS = Instant.parse("2026-11-23T10:15:30.250Z");
    private final PushApiEvents events =
            new PushApiEvents("im_VKteams", "VKteams_file_hash_header", new Capture("10.1.2.3", "gw.example"));

    @Test
    void aMessageBecomesAChatEventWithTheTextFromTheSender() throws Exception {
        Event event = events.chat(message("personal", "bob@corp.example", "hello", null));
        event.validate();

        assertThat(event.getEvt_class()).isEqualTo(EventClass.kChat.getValue());
        assertThat(event.getEvt_service()).isEqualTo("im_VKteams");
        assertThat(event.getEvt_senders()).singleElement().satisfies(sender -> {
            assertThat(sender.getIdentity_type()).isEqualTo(IdentityItemType.kPerson.getValue());
            assertThat(sender.getIdentity_contacts())
                    .contains(
                            new Attribute("email", "alice@corp.example"),
                            new Attribute("ip", "10.0.0.5"),
                            new Attribute("im_VKteams", "alice@corp.example"));
        });
        assertThat(event.getEvt_messages()).singleElement().satisfies(m -> {
            assertThat(m.getUtf8_text()).isEqualTo("hello");
            assertThat(m.getSender_id())
                    .isEqualTo(event.getEvt_senders().getFirst().getIdentity_id());
            assertThat(m.getSent_time()).isEqualTo("2026-11-23T10:15:30+00:00");
        });
        assertThat(event.getEvt_receivers()).singleElement().satisfies(r -> assertThat(r.getIdentity_contacts())
                .contains(new Attribute("im_VKteams", "bob@corp.example"), new Attribute("email", "bob@corp.example")));
        assertThat(event.getEvt_data()).isEmpty();
    }

    @Test
    void everyEventCarriesTheMandatoryCaptureAttributes() {
        List<Attribute> attributes =
                events.chat(message("group", "chat-42", "hi", null)).getEvt_attributes();

        assertThat(attributes)
                .containsExactly(
                        new Attribute("capture_ts", Long.toString(TS.getEpochSecond())),
                        new Attribute("capture_server_ip", "10.1.2.3"),
                        new Attribute("capture_server_fqdn", "gw.example"));
    }

    @Test
    void aGroupChatIsTheReceiverAsAResource() {
        Event event = events.chat(message("group", "chat-42", "hi", null));

        assertThat(event.getEvt_receivers()).singleElement().satisfies(r -> {
            assertThat(r.getIdentity_type()).isEqualTo(IdentityItemType.kResource.getValue());
            assertThat(r.getIdentity_contacts()).containsExactly(new Attribute("im_VKteams", "chat-42"));
        });
    }

    @Test
    void aMessageWithAFileCarriesTheHashInTheObjectHeader() {
        Event event = events.chat(message("group", "chat-42", "see attached", "ab12"));

        assertThat(event.getEvt_attributes()).contains(new Attribute("VKteams_file_hash_header", "ab12"));
    }

    @Test
    void aFileBecomesAFileExchangeEventWithOneDataItemAndNoMessages() throws Exception {
        FileEvent file = new FileEvent(
                UUID.randomUUID(), "ab12", "report.pdf", 1234, "application/pdf", "alice@corp.example", "10.0.0.5", TS);

        Event event = events.fileExchange(file, 1234);
        event.validate();

        assertThat(event.getEvt_class()).isEqualTo(EventClass.kFileExchange.getValue());
        assertThat(event.getEvt_messages()).isNull();
        assertThat(event.getEvt_attributes()).contains(new Attribute("VKteams_file_hash_header", "ab12"));
        assertThat(event.getEvt_data()).singleElement().satisfies(data -> {
            assertThat(data.getData_id()).isEqualTo(PushApiEvents.FILE_DATA_ID);
            assertThat(data.getData_attributes())
                    .contains(
                            new Attribute("filename", "report.pdf"),
                            new Attribute("mimetype", "application/pdf"),
                            new Attribute("data_size", "1234"));
        });
    }

    private static MessageEvent message(String chatType, String chat, String text, String hash) {
        return new MessageEvent(
                UUID.randomUUID(), 7, "alice@corp.example", chat, chatType, text, hash, "{}", "10.0.0.5", TS, false);
    }
}

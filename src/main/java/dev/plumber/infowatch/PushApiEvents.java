package dev.plumber.infowatch;

import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.infowatch.thrift.Attribute;
import dev.plumber.infowatch.thrift.ChatMessage;
import dev.plumber.infowatch.thrift.Event;
import dev.plumber.infowatch.thrift.EventClass;
import dev.plumber.infowatch.thrift.EventData;
import dev.plumber.infowatch.thrift.Identity;
import dev.plumber.infowatch.thrift.IdentityItemType;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps Plumber events to push-API events (pure: no I/O). A message becomes a {@code kChat} event with the text as one
 * chat message; a file becomes a {@code kFileExchange} event with one data item whose bytes are streamed against
 * {@link #FILE_DATA_ID}. Both carry the mandatory capture attributes and, when a file hash is involved, the
 * plugin's object header with the hash: that is how Traffic Monitor links a message to its file.
 *
 * @param service the service mnemonic ({@code imservice}, a {@code SERVICE_MNEMO} of the plugin)
 * @param objectHeader the plugin's {@code OBJECT_HEADER} name
 */
public record PushApiEvents(String service, String objectHeader, Capture capture) {
    /** The data id of a file's bytes in a kFileExchange event. */
    public static final int FILE_DATA_ID = 1;

    static final int SENDER_ID = 1;
    static final int RECEIVER_ID = 2;

    /** {@code sent_time} of a chat message: {@code YYYY-MM-DDThh:mm:ss±hh:mm}, in UTC. */
    private static final DateTimeFormatter SENT_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx").withZone(ZoneOffset.UTC);

    public Event chat(MessageEvent m) {
        Identity receiver = new Identity(
                RECEIVER_ID,
                "group".equals(m.chatType())
                        ? IdentityItemType.kResource.getValue()
                        : IdentityItemType.kPerson.getValue(),
                receiverContacts(m));
        ChatMessage message = new ChatMessage(SENDER_ID, SENT_TIME.format(m.ts()), m.text() == null ? "" : m.text());
        Event event = new Event(
                EventClass.kChat.getValue(),
                service,
                List.of(sender(m.sender(), m.ip())),
                List.of(receiver),
                List.of());
        event.setEvt_attributes(attributes(m.ts(), m.hash()));
        event.setEvt_messages(List.of(message));
        return event;
    }

    /** @param size the number of bytes that will be streamed */
    public Event fileExchange(FileEvent f, long size) {
        List<Attribute> data = new ArrayList<>();
        data.add(new Attribute("filename", f.name()));
        data.add(new Attribute(
                "mimetype", f.mime() == null || f.mime().isBlank() ? "application/octet-stream" : f.mime()));
        data.add(new Attribute("data_size", Long.toString(size)));
        data.add(new Attribute("sent_date", SENT_TIME.format(f.ts())));
        EventData item = new EventData(FILE_DATA_ID);
        item.setData_attributes(data);
        Event event = new Event(
                EventClass.kFileExchange.getValue(),
                service,
                List.of(sender(f.sender(), f.ip())),
                List.of(),
                List.of(item));
        event.setEvt_attributes(attributes(f.ts(), f.hash()));
        return event;
    }

    private Identity sender(String email, String ip) {
        List<Attribute> contacts = new ArrayList<>();
        contacts.add(new Attribute("email", email));
        // The plugin's account contact type (CONTACT_TYPE MNEMO = the service mnemonic): the messenger login.
        contacts.add(new Attribute(service, email));
        if (ip != null && !ip.isBlank()) {
            contacts.add(new Attribute("ip", ip));
        }
        return new Identity(SENDER_ID, IdentityItemType.kPerson.getValue(), contacts);
    }

    private List<Attribute> receiverContacts(MessageEvent m) {
        List<Attribute> contacts = new ArrayList<>();
        contacts.add(new Attribute(service, m.chat()));
        if (!"group".equals(m.chatType()) && m.chat().contains("@")) {
            contacts.add(new Attribute("email", m.chat()));
        }
        return contacts;
    }

    /** capture_ts is the capture time in Unix seconds (when the messenger saw the message or file). */
    private List<Attribute> attributes(Instant ts, String hash) {
        List<Attribute> attributes = new ArrayList<>();
        attributes.add(new Attribute(
                "capture_ts", Long.toString(ts.truncatedTo(ChronoUnit.SECONDS).getEpochSecond())));
        attributes.add(new Attribute("capture_server_ip", capture.serverIp()));
        attributes.add(new Attribute("capture_server_fqdn", capture.serverFqdn()));
        if (hash != null && !hash.isBlank()) {
            attributes.add(new Attribute(objectHeader, hash));
        }
        return attributes;
    }
}

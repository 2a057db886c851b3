package dev.plumber.mock.infowatch;

import dev.plumber.infowatch.thrift.Attribute;
import dev.plumber.infowatch.thrift.ChatMessage;
import dev.plumber.infowatch.thrift.Event;
import dev.plumber.infowatch.thrift.EventClass;
import dev.plumber.infowatch.thrift.EventData;
import dev.plumber.infowatch.thrift.Identity;
import dev.plumber.infowatch.thrift.InvalidEventFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The rules of the push API a begun event must keep (notes/infowatch-pushapi.md), as the mock enforces them. */
final class EventChecks {
    static final List<String> MANDATORY = List.of("capture_ts", "capture_server_ip", "capture_server_fqdn");
    private static final Pattern SENT_TIME =
            Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[+-]\\d\\d:\\d\\d");

    private EventChecks() {}

    static void check(Event event) throws InvalidEventFormat {
        EventClass kind = EventClass.findByValue(event.getEvt_class());
        require(kind != null, "unknown evt_class " + event.getEvt_class());
        require(event.getEvt_service() != null && !event.getEvt_service().isBlank(), "evt_service is empty");
        for (String name : MANDATORY) {
            String value = attribute(event.getEvt_attributes(), name);
            require(value != null && !value.isBlank(), "mandatory attribute " + name + " is missing");
        }
        List<Identity> senders = event.getEvt_senders();
        require(senders != null && !senders.isEmpty(), "evt_senders is empty");
        Set<Integer> senderIds = new HashSet<>();
        for (Identity sender : senders) {
            require(senderIds.add(sender.getIdentity_id()), "sender id " + sender.getIdentity_id() + " twice");
            require(
                    sender.getIdentity_contacts() != null
                            && !sender.getIdentity_contacts().isEmpty(),
                    "sender " + sender.getIdentity_id() + " has no contacts");
        }
        List<ChatMessage> messages = event.getEvt_messages() == null ? List.of() : event.getEvt_messages();
        for (ChatMessage message : messages) {
            require(
                    senderIds.contains(message.getSender_id()),
                    "message sender_id " + message.getSender_id() + " is not a sender's identity_id");
            require(
                    SENT_TIME.matcher(message.getSent_time()).matches(),
                    "sent_time '" + message.getSent_time() + "' is not YYYY-MM-DDThh:mm:ss+hh:mm");
        }
        List<EventData> data = event.getEvt_data() == null ? List.of() : event.getEvt_data();
        if (kind == EventClass.kChat) {
            require(!messages.isEmpty(), "a kChat event needs a message");
            require(
                    event.getEvt_receivers() != null
                            && !event.getEvt_receivers().isEmpty(),
                    "a kChat event needs a receiver");
        } else if (kind == EventClass.kFileExchange) {
            require(!data.isEmpty(), "a kFileExchange event needs data");
            require(messages.isEmpty(), "a kFileExchange event carries no messages");
            for (EventData item : data) {
                require(
                        attribute(item.getData_attributes(), "filename") != null,
                        "data " + item.getData_id() + " has no filename attribute");
            }
        }
    }

    static String attribute(List<Attribute> attributes, String name) {
        if (attributes == null) {
            return null;
        }
        return attributes.stream()
                .filter(a -> a.getName().equals(name))
                .map(Attribute::getValue)
                .findFirst()
                .orElse(null);
    }

    private static void require(boolean ok, String problem) throws InvalidEventFormat {
        if (!ok) {
            throw new InvalidEventFormat(problem);
        }
    }
}

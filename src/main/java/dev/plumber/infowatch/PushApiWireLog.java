package dev.plumber.infowatch;

import dev.plumber.infowatch.thrift.Attribute;
import dev.plumber.infowatch.thrift.Event;
import dev.plumber.infowatch.thrift.EventClass;
import dev.plumber.infowatch.thrift.Identity;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push-API exchanges, one line per call, when {@code dlpClient.debug} is on: what was sent (texts truncated, the
 * token never shown) and what came back. Off, it costs one boolean check per call.
 */
final class PushApiWireLog {
    private static final Logger log = LoggerFactory.getLogger("dev.plumber.infowatch.wire");
    private static final int TEXT_LIMIT = 120;

    private final boolean enabled;

    PushApiWireLog(boolean enabled) {
        this.enabled = enabled;
    }

    void beginEvent(PushApiPool.Address address, Event event, String company, long eventId) {
        if (enabled) {
            log.info(
                    "{} BeginEvent(class={} service={} attributes={} senders={} receivers={} data={} text={}; "
                            + "company={} token=****) -> event {}",
                    address,
                    EventClass.findByValue(event.getEvt_class()),
                    event.getEvt_service(),
                    attributes(event.getEvt_attributes()),
                    identities(event.getEvt_senders()),
                    identities(event.getEvt_receivers()),
                    event.getEvt_data() == null
                            ? "[]"
                            : event.getEvt_data().stream()
                                    .map(d -> d.getData_id() + attributes(d.getData_attributes()))
                                    .toList(),
                    text(event),
                    company,
                    eventId);
        }
    }

    void streamed(PushApiPool.Address address, long eventId, long streamId, long bytes, int chunks) {
        if (enabled) {
            log.info(
                    "{} BeginStream/SendStreamData x{}/EndStream(event {}, stream {}): {} bytes",
                    address,
                    chunks,
                    eventId,
                    streamId,
                    bytes);
        }
    }

    void ended(PushApiPool.Address address, long eventId, String tmId) {
        if (enabled) {
            log.info("{} GetEventDatabaseId(event {}) -> {}; EndEvent(abort=false)", address, eventId, tmId);
        }
    }

    void failed(PushApiPool.Address address, String call, Exception e) {
        if (enabled) {
            log.info("{} {} failed: {}", address, call, e.toString());
        }
    }

    private static String attributes(List<Attribute> attributes) {
        if (attributes == null) {
            return "{}";
        }
        return attributes.stream()
                .map(a -> a.getName() + "=" + a.getValue())
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String identities(List<Identity> identities) {
        return identities.stream()
                .map(i -> i.getIdentity_id() + attributes(i.getIdentity_contacts()))
                .toList()
                .toString();
    }

    private static String text(Event event) {
        if (event.getEvt_messages() == null || event.getEvt_messages().isEmpty()) {
            return "-";
        }
        String text = event.getEvt_messages().getFirst().getUtf8_text();
        return text.length() <= TEXT_LIMIT
                ? '"' + text + '"'
                : '"' + text.substring(0, TEXT_LIMIT) + "…\" (" + text.length() + " chars)";
    }
}

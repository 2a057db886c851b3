package dev.plumber.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plumber.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/** Reads and writes the JSON values of {@code dlp.requests} events, validating every field. */
public final class EventCodec {
    private static final ObjectMapper JSON = Json.MAPPER;

    /**
     * Writes a character outside the Basic Multilingual Plane (an emoji) as its 4 UTF-8 bytes: Jackson's default
     * writes it as two escaped surrogates, 12 bytes, which made a text of emoji three times its size against {@link
     * #MAX_VALUE_BYTES}. Both are valid JSON and decode to the same text.
     */
    private static final ObjectWriter WRITER = JSON.writer().with(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8);

    /** The largest event value accepted: events carry a message's text or a file's metadata, never file bytes. */
    public static final int MAX_VALUE_BYTES = 256 * 1024;

    /**
     * The longest sender, chat or file hash an event may have, in UTF-8 bytes; a malformed event's own id longer than
     * this does not key its row. The status store indexes them, and an index entry holds at most about 2.7 KB: a longer
     * one would fail every status write it shared a flush with, and its own again on every retry. No id, address or
     * hash comes near it.
     */
    public static final int MAX_ID_BYTES = 1024;

    /** How much of a wrong value an error shows. */
    private static final int SHOWN_CHARS = 64;

    private static final Instant FIRST_TS = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant END_TS = Instant.parse("+10000-01-01T00:00:00Z");

    private EventCodec() {}

    public static byte[] encode(DlpEvent event) {
        ObjectNode node = JSON.createObjectNode();
        node.put("v", DlpEvent.VERSION);
        switch (event) {
            case MessageEvent m -> {
                node.put("type", "message");
                node.put("id", m.id().toString());
                node.put("mid", m.mid());
                node.put("sender", m.sender());
                node.put("chat", m.chat());
                node.put("chatType", m.chatType());
                node.put("text", m.text());
                if (m.hash() != null) {
                    node.put("hash", m.hash());
                }
                node.put("parts", m.parts());
                node.put("ip", m.ip());
                node.put("ts", m.ts().toString());
                node.put("edit", m.edit());
            }
            case FileEvent f -> {
                node.put("type", "file");
                node.put("id", f.id().toString());
                node.put("hash", f.hash());
                node.put("name", f.name());
                node.put("size", f.size());
                node.put("mime", f.mime());
                node.put("sender", f.sender());
                node.put("ip", f.ip());
                node.put("ts", f.ts().toString());
            }
        }
        try {
            return WRITER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot happen: a tree always serialises", e);
        }
    }

    public static DlpEvent decode(byte[] value) throws MalformedEventException {
        if (value == null || value.length == 0) {
            throw new MalformedEventException("empty event value");
        }
        if (value.length > MAX_VALUE_BYTES) {
            throw new MalformedEventException(
                    "event value of " + value.length + " bytes exceeds the limit of " + MAX_VALUE_BYTES);
        }
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new MalformedEventException("unreadable value: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new MalformedEventException("event is not a JSON object");
        }
        JsonNode v = node.get("v");
        // 1.0 is the version too; 1.5 is not, though it converts to 1.
        if (v == null || !v.isNumber() || v.doubleValue() != DlpEvent.VERSION) {
            throw new MalformedEventException(
                    "unsupported schema version v=" + shown(v) + " (expected " + DlpEvent.VERSION + ")");
        }
        String type = text(node, "type", true);
        return switch (type) {
            case "message" ->
                new MessageEvent(
                        uuid(node),
                        longValue(node, "mid"),
                        sender(node),
                        nonEmpty(node, "chat"),
                        chatType(node),
                        text(node, "text", true),
                        headerSafe("hash", id(node, "hash", false)),
                        text(node, "parts", false) == null ? "" : text(node, "parts", false),
                        headerSafe("ip", text(node, "ip", false)),
                        instant(node),
                        edit(node));
            case "file" ->
                new FileEvent(
                        uuid(node),
                        headerSafe("hash", nonEmpty(node, "hash")),
                        text(node, "name", true),
                        size(node),
                        text(node, "mime", false) == null ? "application/octet-stream" : text(node, "mime", false),
                        sender(node),
                        headerSafe("ip", text(node, "ip", false)),
                        instant(node));
            default -> throw new MalformedEventException("unknown event type '" + shown(type) + "'");
        };
    }

    /**
     * Best-effort id of a value that may be malformed, for dead letters and status rows; none for an id that a status
     * row could not be keyed by (empty, longer than {@link #MAX_ID_BYTES}, or holding U+0000, which PostgreSQL's text
     * cannot).
     */
    public static String idOf(byte[] value) {
        try {
            JsonNode node = JSON.readTree(value).get("id");
            String id = node != null && node.isTextual() ? node.textValue() : "";
            return id.isEmpty() || id.indexOf('\0') >= 0 || tooLongForAnId(id) ? null : id;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static String text(JsonNode node, String field, boolean required) throws MalformedEventException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new MalformedEventException("missing field '" + field + "'");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new MalformedEventException("field '" + field + "' must be a string");
        }
        return value.textValue();
    }

    /** A text the status store indexes: at most {@link #MAX_ID_BYTES}. */
    private static String id(JsonNode node, String field, boolean required) throws MalformedEventException {
        String value = text(node, field, required);
        if (value != null && tooLongForAnId(value)) {
            throw new MalformedEventException("field '" + field + "' is "
                    + value.getBytes(StandardCharsets.UTF_8).length + " bytes long, more than the " + MAX_ID_BYTES
                    + " an id may have");
        }
        return value;
    }

    /** A required id, which must name something: an empty or blank one names nothing. */
    private static String nonEmpty(JsonNode node, String field) throws MalformedEventException {
        String value = id(node, field, true);
        if (value.isBlank()) {
            throw new MalformedEventException("field '" + field + "' is blank");
        }
        return value;
    }

    private static String sender(JsonNode node) throws MalformedEventException {
        return headerSafe("sender", nonEmpty(node, "sender"));
    }

    /**
     * {@code value} unless it holds a control character. The sender and the IP go into the DLP request's ICAP headers
     * ({@code X-Authenticated-User}, {@code X-Client-IP}) and the file hash into a multipart part of its body: a line
     * break there would end the header or the part early — the header could not be written at all, and the event was
     * retried for ever, holding up its partition. No e-mail, address or hash has one. The character is named, not
     * shown: the reason goes to the log.
     */
    private static String headerSafe(String field, String value) throws MalformedEventException {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new MalformedEventException(
                        "field '" + field + "' holds a control character (U+%04X)".formatted((int) c));
            }
        }
        return value;
    }

    private static boolean tooLongForAnId(String value) {
        // At most three UTF-8 bytes per UTF-16 unit: only a long text needs encoding to be measured.
        return value.length() > MAX_ID_BYTES / 3 && value.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES;
    }

    /**
     * A value as an error shows it: its start only when long. The reason goes to the log, the dead letter's headers, the
     * status row and the status record; a 256 KiB id would have gone to each of them whole.
     */
    static String shown(Object value) {
        String text = String.valueOf(value);
        if (text.length() <= SHOWN_CHARS) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(SHOWN_CHARS - 1)) ? SHOWN_CHARS - 1 : SHOWN_CHARS;
        return text.substring(0, end) + "… (" + text.length() + " characters)";
    }

    private static long longValue(JsonNode node, String field) throws MalformedEventException {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToLong() || !value.isIntegralNumber()) {
            throw new MalformedEventException("field '" + field + "' must be an integer");
        }
        return value.longValue();
    }

    private static long size(JsonNode node) throws MalformedEventException {
        long size = longValue(node, "size");
        if (size < 0) {
            throw new MalformedEventException("field 'size' must not be negative, not " + size);
        }
        return size;
    }

    /** Absent or null when the message is not an edit; anything but true or false is a producer's mistake. */
    private static boolean edit(JsonNode node) throws MalformedEventException {
        JsonNode edit = node.get("edit");
        if (edit == null || edit.isNull()) {
            return false;
        }
        if (!edit.isBoolean()) {
            throw new MalformedEventException("field 'edit' must be true or false, not " + shown(edit));
        }
        return edit.booleanValue();
    }

    private static UUID uuid(JsonNode node) throws MalformedEventException {
        String id = text(node, "id", true);
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException("field 'id' is not a UUID: " + shown(id));
        }
    }

    private static Instant instant(JsonNode node) throws MalformedEventException {
        String ts = text(node, "ts", false);
        if (ts == null) {
            return Instant.EPOCH;
        }
        Instant instant;
        try {
            instant = Timestamps.parse(ts);
        } catch (DateTimeParseException e) {
            throw new MalformedEventException("field 'ts' is not an ISO-8601 instant: " + shown(ts));
        }
        // An ISO-8601 instant may name year 0 or 10000; PostgreSQL's timestamptz reads neither, and one in a status
        // flush would fail every event of it, its own again on every retry.
        if (instant.isBefore(FIRST_TS) || !instant.isBefore(END_TS)) {
            throw new MalformedEventException("field 'ts' is out of range (years 1 to 9999): " + shown(ts));
        }
        return instant;
    }

    private static String chatType(JsonNode node) throws MalformedEventException {
        String chatType = text(node, "chatType", true);
        if (!chatType.equals("personal") && !chatType.equals("group")) {
            throw new MalformedEventException(
                    "field 'chatType' must be 'personal' or 'group', not '" + shown(chatType) + "'");
        }
        return chatType;
    }
}

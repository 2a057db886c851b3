package dev.plumber.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    private static final UUID ID = UUID.fromString("6f1c1f8e-8d43-4b8e-9a52-0d0a8f6f3c11");
    private static final Instant TS = Instant.parse("2026-11-23T10:15:30Z");

    @Test
    void encodesMessageEventWithSpecFieldNames() {
        var event = new MessageEvent(
                ID, 42, "alice@demo.local", "c-1", "personal", "hi", null, "{}", "10.0.0.5", TS, false);

        String json = new String(EventCodec.encode(event), StandardCharsets.UTF_8);

        assertThat(json)
                .isEqualTo("{\"v\":1,\"type\":\"message\",\"id\":\"" + ID
                        + "\",\"mid\":42,\"sender\":\"alice@demo.local\",\"chat\":\"c-1\",\"chatType\":\"personal\","
                        + "\"text\":\"hi\",\"parts\":\"{}\",\"ip\":\"10.0.0.5\",\"ts\":\"2026-11-23T10:15:30Z\","
                        + "\"edit\":false}");
    }

    @Test
    void roundTripsMessageAndFileEvents() throws Exception {
        var message = new MessageEvent(ID, 7, "a@x", "g-1", "group", "text", "abc", "{}", "1.2.3.4", TS, true);
        var file = new FileEvent(ID, "abc", "report.pdf", 1234, "application/pdf", "a@x", "1.2.3.4", TS);

        assertThat(EventCodec.decode(EventCodec.encode(message))).isEqualTo(message);
        assertThat(EventCodec.decode(EventCodec.encode(file))).isEqualTo(file);
        assertThat(message.key()).isEqualTo("g-1");
        assertThat(file.key()).isEqualTo("abc");
    }

    @Test
    void rejectsMalformedValuesWithTheReason() {
        assertReason("", "empty event value");
        assertReason("{not json", "not JSON");
        assertReason("[1]", "not a JSON object");
        assertReason("{\"v\":2,\"type\":\"message\"}", "unsupported schema version");
        assertReason("{\"v\":1,\"type\":\"sms\",\"id\":\"" + ID + "\"}", "unknown event type 'sms'");
        assertReason("{\"v\":1,\"type\":\"file\",\"id\":\"nope\"}", "field 'id' is not a UUID");
        assertReason(
                "{\"v\":1,\"type\":\"message\",\"id\":\"" + ID + "\",\"mid\":1,\"sender\":\"a\",\"chat\":\"c\","
                        + "\"chatType\":\"channel\",\"text\":\"t\"}",
                "field 'chatType' must be 'personal' or 'group'");
        assertReason(
                "{\"v\":1,\"type\":\"message\",\"id\":\"" + ID + "\",\"mid\":\"x\"}", "field 'mid' must be an integer");
    }

    /** How each field is read: the JSON tree's own rules, which a faster reader would have to keep. */
    @Test
    void readsEachFieldByTheJsonTreesRules() throws Exception {
        String head = "{\"v\":1,\"type\":\"message\",\"id\":\"" + ID + "\",\"sender\":\"a\",\"chat\":\"c\","
                + "\"chatType\":\"group\",\"text\":\"t\",";

        MessageEvent plain = (MessageEvent) decode(head + "\"mid\":1}");
        assertThat(plain.edit()).isFalse();
        assertThat(plain.parts()).isEmpty();
        assertThat(plain.ts()).isEqualTo(Instant.EPOCH);
        // Unknown fields of any shape are skipped; a repeated field's last value counts.
        MessageEvent extra =
                (MessageEvent) decode(head + "\"x\":{\"a\":[1,{\"mid\":9}],\"b\":null},\"mid\":2,\"text\":\"last\"}");
        assertThat(extra.mid()).isEqualTo(2);
        assertThat(extra.text()).isEqualTo("last");
        assertThat(((MessageEvent) decode(head + "\"mid\":1099511627776}")).mid())
                .isEqualTo(1L << 40);
        assertThat(((MessageEvent) decode(head + "\"mid\":1,\"edit\":true}")).edit())
                .isTrue();
        for (String edit : new String[] {"false", "null"}) {
            assertThat(((MessageEvent) decode(head + "\"mid\":1,\"edit\":" + edit + "}")).edit())
                    .as(edit)
                    .isFalse();
        }
        assertThat(decode(head.replace("\"v\":1", "\"v\":1.0") + "\"mid\":1}")).isEqualTo(plain);

        assertReason(head.replace("\"v\":1", "\"v\":\"1\"") + "\"mid\":1}", "unsupported schema version v=\"1\"");
        assertReason(head + "\"mid\":1.5}", "field 'mid' must be an integer");
        assertReason(head + "\"mid\":99999999999999999999}", "field 'mid' must be an integer");
        assertReason(head + "\"mid\":1,\"text\":{\"a\":1}}", "field 'text' must be a string");
        assertReason(head + "\"mid\":1,\"text\":null}", "missing field 'text'");
        assertReason(head + "\"mid\":1,\"ts\":\"yesterday\"}", "field 'ts' is not an ISO-8601 instant");
        for (String ts : new String[] {"0000-12-31T23:59:59Z", "+10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z"}) {
            assertReason(head + "\"mid\":1,\"ts\":\"" + ts + "\"}", "field 'ts' is out of range (years 1 to 9999)");
        }
        for (String ts : new String[] {"0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z"}) {
            assertThat(decode(head + "\"mid\":1,\"ts\":\"" + ts + "\"}").ts()).isEqualTo(Instant.parse(ts));
        }
        assertReason(head + "\"mid\":1", "not JSON");
        assertReason(head + "\"mid\":1,\"x\":[1,}", "not JSON");
        assertReason("[1,", "not JSON");
        assertReason("  ", "not a JSON object");
        assertReason("\"event\"", "not a JSON object");
    }

    /** A value that would have been read as something else is malformed, rather than taken for a default. */
    @Test
    void rejectsValuesOfTheWrongTypeOrRange() throws Exception {
        String head = "{\"v\":1,\"type\":\"message\",\"id\":\"" + ID + "\",\"sender\":\"a\",\"chat\":\"c\","
                + "\"chatType\":\"group\",\"text\":\"t\",\"mid\":1";
        for (String edit : new String[] {"\"yes\"", "\"true\"", "1", "0", "{}", "[true]"}) {
            assertReason(head + ",\"edit\":" + edit + "}", "field 'edit' must be true or false, not " + edit);
        }
        assertReason(head.replace("\"v\":1", "\"v\":1.5") + "}", "unsupported schema version v=1.5");
        assertReason(head.replace("\"v\":1", "\"v\":true") + "}", "unsupported schema version v=true");
        for (String blank : new String[] {"", " "}) {
            assertReason(
                    head.replace("\"sender\":\"a\"", "\"sender\":\"" + blank + "\"") + "}", "field 'sender' is blank");
            assertReason(head.replace("\"chat\":\"c\"", "\"chat\":\"" + blank + "\"") + "}", "field 'chat' is blank");
        }
        // The text may be empty (a message that only carries a file), and so may what is optional.
        assertThat(((MessageEvent) decode(head.replace("\"text\":\"t\"", "\"text\":\"\"") + ",\"ip\":\"\"}")).text())
                .isEmpty();

        String file = "{\"v\":1,\"type\":\"file\",\"id\":\"" + ID + "\",\"name\":\"n\",\"sender\":\"a\",";
        assertReason(file + "\"hash\":\"h\",\"size\":-1}", "field 'size' must not be negative, not -1");
        assertReason(file + "\"hash\":\"\",\"size\":1}", "field 'hash' is blank");
        assertThat(((FileEvent) decode(file + "\"hash\":\"h\",\"size\":0}")).size())
                .isZero();
    }

    /**
     * The sender and the IP go into ICAP headers, a file hash into a multipart part: a line break there would end them
     * early (a header with one could not even be written, and the event was retried for ever).
     */
    @Test
    void rejectsControlCharactersInWhatGoesIntoHeaders() throws Exception {
        String message = "{\"v\":1,\"type\":\"message\",\"id\":\"" + ID + "\",\"mid\":1,\"chatType\":\"group\","
                + "\"text\":\"t\",\"chat\":\"c\",\"sender\":\"%s\",\"ip\":\"%s\",\"hash\":\"%s\"}";
        String file = "{\"v\":1,\"type\":\"file\",\"id\":\"" + ID + "\",\"name\":\"n\",\"size\":1,"
                + "\"sender\":\"%s\",\"ip\":\"%s\",\"hash\":\"%s\"}";
        for (String template : new String[] {message, file}) {
            assertReason(
                    template.formatted("alice@demo.local\\r\\nX-Evil: 1", "10.0.0.5", "h"),
                    "field 'sender' holds a control character (U+000D)");
            assertReason(
                    template.formatted("a@x", "10.0.0.5\\n", "h"), "field 'ip' holds a control character (U+000A)");
            assertReason(
                    template.formatted("a@x", "10.0.0.5", "h\\u0000"),
                    "field 'hash' holds a control character (U+0000)");
            assertReason(
                    template.formatted("a\\tb", "10.0.0.5", "h"), "field 'sender' holds a control character (U+0009)");
            assertReason(
                    template.formatted("a\\u007f", "10.0.0.5", "h"),
                    "field 'sender' holds a control character (U+007F)");
            // Text beyond ASCII is not a control character.
            assertThat(decode(template.formatted("алиса@пример.рф", "::1", "h")).sender())
                    .isEqualTo("алиса@пример.рф");
        }
        // Where a control character does no harm it stays: a message's text, a file's name (escaped in the part).
        MessageEvent text = (MessageEvent) decode(
                message.replace("\"text\":\"t\"", "\"text\":\"a\\r\\nb\"").formatted("a@x", "10.0.0.5", "h"));
        assertThat(text.text()).isEqualTo("a\r\nb");
        FileEvent name = (FileEvent)
                decode(file.replace("\"name\":\"n\"", "\"name\":\"a\\nb\"").formatted("a@x", "10.0.0.5", "h"));
        assertThat(name.name()).isEqualTo("a\nb");
    }

    /** The status store indexes senders, chats and hashes: one too long for an index entry is malformed. */
    @Test
    void rejectsASenderChatOrHashLongerThanAnIdMayBe() throws Exception {
        String atLimit = "я".repeat(EventCodec.MAX_ID_BYTES / 2); // two bytes each in UTF-8
        String over = atLimit + "x";
        String message = "{\"v\":1,\"type\":\"message\",\"id\":\"" + ID + "\",\"mid\":1,\"chatType\":\"group\","
                + "\"text\":\"t\",\"sender\":\"%s\",\"chat\":\"%s\",\"hash\":\"%s\"}";
        String file = "{\"v\":1,\"type\":\"file\",\"id\":\"" + ID + "\",\"name\":\"n\",\"size\":1,"
                + "\"sender\":\"%s\",\"hash\":\"%s\"}";

        MessageEvent longest = (MessageEvent) decode(message.formatted(atLimit, atLimit, atLimit));
        assertThat(longest.chat()).isEqualTo(atLimit);
        assertThat(((FileEvent) decode(file.formatted(atLimit, atLimit))).hash())
                .isEqualTo(atLimit);
        String tooLong = "is 1025 bytes long, more than the 1024 an id may have";
        assertReason(message.formatted(over, "c", "h"), "field 'sender' " + tooLong);
        assertReason(message.formatted("s", over, "h"), "field 'chat' " + tooLong);
        assertReason(message.formatted("s", "c", over), "field 'hash' " + tooLong);
        assertReason(file.formatted(over, "h"), "field 'sender' " + tooLong);
        assertReason(file.formatted("s", over), "field 'hash' " + tooLong);
        // A malformed event's id that long keys no row: the caller derives one from where the record sits.
        assertThat(EventCodec.idOf(("{\"id\":\"" + atLimit + "\"}").getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(atLimit);
        assertThat(EventCodec.idOf(("{\"id\":\"" + over + "\"}").getBytes(StandardCharsets.UTF_8)))
                .isNull();
    }

    /** An error shows the start of a long wrong value, not the value: it goes to logs, headers, rows and records. */
    @Test
    void anErrorShowsOnlyTheStartOfALongValue() {
        String id = "x".repeat(100_000);
        assertThatThrownBy(() -> decode("{\"v\":1,\"type\":\"file\",\"id\":\"" + id + "\"}"))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("field 'id' is not a UUID: " + "x".repeat(64) + "… (100000 characters)");
        assertReason("{\"v\":[" + "1,".repeat(50_000) + "1]}", "unsupported schema version v=[1,1,");
        assertThatThrownBy(() -> decode("{\"v\":[" + "1,".repeat(50_000) + "1]}"))
                .hasMessageEndingWith("characters) (expected 1)");
        // A character outside the BMP is not cut in half.
        assertThat(EventCodec.shown("x".repeat(63) + "😀" + "y")).isEqualTo("x".repeat(63) + "… (66 characters)");
        assertThat(EventCodec.shown("short")).isEqualTo("short");
    }

    private static DlpEvent decode(String value) throws MalformedEventException {
        return EventCodec.decode(value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void findsTheIdOfAMalformedEventWhenItHasOne() {
        assertThat(EventCodec.idOf(("{\"id\":\"" + ID + "\",\"v\":9}").getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(ID.toString());
        assertThat(EventCodec.idOf("garbage".getBytes(StandardCharsets.UTF_8))).isNull();
        // An id no status row could be keyed by: the caller derives one from where the record sits.
        assertThat(EventCodec.idOf("{\"id\":\"a\\u0000b\"}".getBytes(StandardCharsets.UTF_8)))
                .isNull();
        assertThat(EventCodec.idOf("{\"id\":\"\"}".getBytes(StandardCharsets.UTF_8)))
                .isNull();
    }

    private static void assertReason(String value, String reason) {
        assertThatThrownBy(() -> EventCodec.decode(value.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining(reason);
    }
}

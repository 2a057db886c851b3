package dev.plumber.searchinform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** The HTTP bodies SearchInform expects (SPEC §4): the message JSON and the file multipart framing. */
final class SearchInformPayloads {
    private static final JsonFactory JSON = Json.MAPPER.getFactory();

    private SearchInformPayloads() {}

    /** {@code {"sender","chat","hash","text","parts","ip","mid"}} in exactly this order; a missing hash is null. */
    static byte[] messageJson(MessageEvent m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("sender", m.sender());
            g.writeStringField("chat", m.chat());
            g.writeStringField("hash", m.hash());
            g.writeStringField("text", m.text());
            g.writeStringField("parts", m.parts());
            g.writeStringField("ip", m.ip());
            g.writeNumberField("mid", m.mid());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return out.toByteArray();
    }

    /** The multipart framing around the file bytes: {@link #prefix} + file + {@link #suffix}. */
    record Multipart(String boundary, byte[] prefix, byte[] suffix) {

        String contentType() {
            return "multipart/form-data; boundary=" + boundary;
        }

        long length(long fileLength) {
            return prefix.length + fileLength + suffix.length;
        }
    }

    /**
     * The boundary derives from the event id — unique per event, the same bytes on every retry — spelled in letters
     * only: the id's hex digits could line up sixteen decimal digits that pass the Luhn check (about one file in six
     * thousand), which a DLP's card-number rule that reads the raw body takes for a card.
     */
    static Multipart multipart(FileEvent f) {
        String boundary = "plumber-" + letters(f.id());
        String prefix = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"" + quoted(f.name()) + "\"\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "\r\n";
        String suffix = "\r\n--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"hash\"\r\n"
                + "\r\n"
                + f.hash() + "\r\n"
                + "--" + boundary + "--\r\n";
        return new Multipart(
                boundary, prefix.getBytes(StandardCharsets.UTF_8), suffix.getBytes(StandardCharsets.UTF_8));
    }

    /** The id's 32 nibbles as the letters a to p. */
    private static String letters(UUID id) {
        char[] letters = new char[32];
        for (int i = 0; i < 32; i++) {
            long half = i < 16 ? id.getMostSignificantBits() : id.getLeastSignificantBits();
            letters[i] = (char) ('a' + (int) ((half >>> (60 - 4 * (i % 16))) & 0xF));
        }
        return new String(letters);
    }

    /** Escapes a file name the way browsers do in form data (WHATWG HTML, multipart/form-data encoding). */
    private static String quoted(String name) {
        return name.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
    }
}

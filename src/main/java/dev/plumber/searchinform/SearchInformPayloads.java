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

    /** The boundary derives from the event id: unique per event, and the same bytes on every retry. */
    static Multipart multipart(FileEvent f) {
        String boundary = "plumber-" + f.id().toString().replace("-", "");
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

    /** Escapes a file name the way browsers do in form data (WHATWG HTML, multipart/form-data encoding). */
    private static String quoted(String name) {
        return name.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
    }
}

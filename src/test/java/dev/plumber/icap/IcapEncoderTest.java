package dev.plumber.icap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IcapEncoderTest {
    private static final URI SERVICE = URI.create("icap://dlp.example:1344/request");

    @Test
    void encodesOptionsWithNullBody() {
        String wire = text(IcapEncoder.encodeHead(IcapRequest.options(SERVICE)));

        assertThat(wire)
                .isEqualTo("OPTIONS icap://dlp.example:1344/request ICAP/1.0\r\n"
                        + "Host: dlp.example:1344\r\n"
                        + "Encapsulated: null-body=0\r\n"
                        + "\r\n");
    }

    @Test
    void encodesReqmodWithPreviewAndOneContentLength() {
        HttpRequestHead http = HttpRequestHead.of(
                "POST",
                "http://vkteams/",
                IcapHeaders.of("Host", "vkteams", "Content-Type", "application/json", "Content-Length", "999"));
        IcapRequest request = IcapRequest.reqmod(
                SERVICE, IcapHeaders.of("Allow", "204", "Preview", "1024", "X-Client-IP", "10.0.0.5"), http, 11);

        String wire = text(IcapEncoder.encodeHead(request));

        String httpHead = "POST http://vkteams/ HTTP/1.1\r\n"
                + "Host: vkteams\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: 11\r\n"
                + "\r\n";
        assertThat(wire)
                .isEqualTo("REQMOD icap://dlp.example:1344/request ICAP/1.0\r\n"
                        + "Host: dlp.example:1344\r\n"
                        + "Allow: 204\r\n"
                        + "Preview: 1024\r\n"
                        + "X-Client-IP: 10.0.0.5\r\n"
                        + "Encapsulated: req-hdr=0, req-body=" + httpHead.length() + "\r\n"
                        + "\r\n"
                        + httpHead);
        assertThat(httpHead.length()).isEqualTo(100);
    }

    @Test
    void encodesAnEmptyBodyAsNullBody() {
        HttpRequestHead http = HttpRequestHead.of("POST", "/", IcapHeaders.of("Host", "h"));

        String wire = text(IcapEncoder.encodeHead(IcapRequest.reqmod(SERVICE, IcapHeaders.empty(), http, 0)));

        assertThat(wire).contains("Encapsulated: req-hdr=0, null-body=47\r\n");
        assertThat(wire).endsWith("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
    }

    @Test
    void countsTheEncapsulatedOffsetInBytesWhenAFieldHoldsCharactersBeyondLatin1() {
        // A raw sender name: each UTF-16 char that ISO-8859-1 cannot hold goes as one '?', a surrogate pair as two.
        IcapHeaders icap = IcapHeaders.of("X-Authenticated-User", "Ян \uD83D\uDE00 ü");
        HttpRequestHead http = HttpRequestHead.of("POST", "/", IcapHeaders.of("X-Sender", "\uD83D\uDE00ü"));

        byte[] head = IcapEncoder.encodeHead(IcapRequest.reqmod(SERVICE, icap, http, 1));

        String wire = text(head);
        assertThat(wire).contains("X-Authenticated-User: ?? ?? \u00fc\r\n");
        int offset = Integer.parseInt(wire.replaceAll("(?s).*req-body=(\\d+).*", "$1"));
        String httpHead = wire.substring(wire.indexOf("\r\n\r\n") + 4);
        assertThat(httpHead)
                .startsWith("POST / HTTP/1.1\r\nX-Sender: ??\u00fc\r\n")
                .endsWith("\r\n\r\n");
        assertThat(offset).isEqualTo(httpHead.length());
    }

    @Test
    void replacesAFieldWithOneValueAtTheEnd() {
        IcapHeaders headers = IcapHeaders.of("Allow", "206", "X-A", "1", "allow", "204, 206");

        assertThat(headers.replacing("ALLOW", "204").fields())
                .extracting(f -> f.getKey() + ": " + f.getValue())
                .containsExactly("X-A: 1", "ALLOW: 204");
        assertThat(headers.replacing("Preview", "0").first("preview")).isEqualTo("0");
        assertThatThrownBy(() -> headers.replacing("Bad Name", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void findsATokenInACommaSeparatedListOfAnyOfAFieldsValues() {
        IcapHeaders headers = IcapHeaders.of("Connection", "keep-alive", "connection", " Upgrade ,\tClose ,");

        assertThat(headers.hasToken("Connection", "close")).isTrue();
        assertThat(headers.hasToken("Connection", "upgrade")).isTrue();
        assertThat(headers.hasToken("Connection", "clos")).isFalse();
        assertThat(headers.hasToken("Connection", "keep")).isFalse();
        assertThat(headers.hasToken("Proxy-Connection", "close")).isFalse();
    }

    @Test
    void framesChunksAndPreviewEndings() {
        byte[] data = "hello, world".getBytes(StandardCharsets.US_ASCII);

        assertThat(text(IcapEncoder.chunk(data, 7, 5))).isEqualTo("5\r\nworld\r\n");
        assertThat(text(IcapEncoder.chunk(new byte[26], 0, 26))).startsWith("1a\r\n");
        assertThat(text(IcapEncoder.IEOF_CHUNK)).isEqualTo("0; ieof\r\n\r\n");
        assertThat(text(IcapEncoder.LAST_CHUNK)).isEqualTo("0\r\n\r\n");
        // An empty chunk would read as the last chunk.
        assertThatThrownBy(() -> IcapEncoder.chunk(data, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void framesAChunkInPlaceAroundItsData() {
        int length = 0x10000; // the streaming chunk size: five hex digits
        byte[] frame = new byte[IcapEncoder.CHUNK_HEAD_ROOM + length + 2];
        Arrays.fill(frame, IcapEncoder.CHUNK_HEAD_ROOM, IcapEncoder.CHUNK_HEAD_ROOM + length, (byte) 'x');

        int start = IcapEncoder.frameChunk(frame, IcapEncoder.CHUNK_HEAD_ROOM, length);

        String chunk = text(Arrays.copyOfRange(frame, start, IcapEncoder.CHUNK_HEAD_ROOM + length + 2));
        assertThat(chunk).startsWith("10000\r\nxxx").endsWith("xxx\r\n").hasSize(7 + length + 2);
    }

    @Test
    void encodesBlockResponseWithResHdrAndChunkedPage() {
        HttpResponseHead page = new HttpResponseHead(
                "HTTP/1.1", 403, "Forbidden", IcapHeaders.of("Content-Type", "text/html", "Content-Length", "5"));
        IcapResponse response = new IcapResponse(
                200,
                "OK",
                IcapHeaders.of("ISTag", "\"mock-1\"", "X-Block-Reason", "card"),
                null,
                page,
                "<p/>\n".getBytes(StandardCharsets.US_ASCII),
                false);

        assertThat(text(IcapEncoder.encodeResponse(response)))
                .isEqualTo("ICAP/1.0 200 OK\r\n"
                        + "ISTag: \"mock-1\"\r\n"
                        + "X-Block-Reason: card\r\n"
                        + "Encapsulated: res-hdr=0, res-body=70\r\n"
                        + "\r\n"
                        + "HTTP/1.1 403 Forbidden\r\n"
                        + "Content-Type: text/html\r\n"
                        + "Content-Length: 5\r\n"
                        + "\r\n"
                        + "5\r\n<p/>\n\r\n"
                        + "0\r\n\r\n");
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}

package dev.plumber.icap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IcapRequestDecoderTest {
    private static final URI SERVICE = URI.create("icap://127.0.0.1:1344/request");

    @Test
    void decodesWhatTheEncoderWroteWithPreviewAndRest() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        HttpRequestHead http = HttpRequestHead.of("POST", "http://vkteams/", IcapHeaders.of("Host", "vkteams"));
        wire.writeBytes(IcapEncoder.encodeHead(
                IcapRequest.reqmod(SERVICE, IcapHeaders.of("Preview", "4", "Allow", "204"), http, 10)));
        wire.writeBytes(IcapEncoder.chunk(bytes("0123"), 0, 4));
        wire.writeBytes(IcapEncoder.LAST_CHUNK);
        wire.writeBytes(IcapEncoder.chunk(bytes("456789"), 0, 6));
        wire.writeBytes(IcapEncoder.LAST_CHUNK);

        for (int step : new int[] {1, 7, 1000}) {
            List<IcapRequestDecoder.Part> parts = decodeAll(wire.toByteArray(), step);

            assertThat(parts)
                    .extracting(IcapRequestDecoder.Part::kind)
                    .containsExactly(IcapRequestDecoder.Kind.PREVIEW_END, IcapRequestDecoder.Kind.COMPLETE);
            assertThat(text(parts.get(0).body())).isEqualTo("0123");
            IcapRequestDecoder.Part done = parts.get(1);
            assertThat(text(done.body())).isEqualTo("0123456789");
            assertThat(done.request().method()).isEqualTo("REQMOD");
            assertThat(done.request().service()).isEqualTo(SERVICE);
            assertThat(done.request().httpRequest().headers().first("Content-Length"))
                    .isEqualTo("10");
            assertThat(done.ieof()).isFalse();
        }
    }

    @Test
    void completesAtOnceWhenThePreviewEndsWithIeof() throws Exception {
        String wire = "REQMOD icap://h/r ICAP/1.0\r\nPreview: 1024\r\nEncapsulated: req-hdr=0, req-body=19\r\n\r\n"
                + "POST / HTTP/1.1\r\n\r\n"
                + "3\r\nabc\r\n0; ieof\r\n\r\n";

        List<IcapRequestDecoder.Part> parts = decodeAll(bytes(wire), 2);

        assertThat(parts).hasSize(1);
        assertThat(parts.getFirst().kind()).isEqualTo(IcapRequestDecoder.Kind.COMPLETE);
        assertThat(parts.getFirst().ieof()).isTrue();
        assertThat(text(parts.getFirst().body())).isEqualTo("abc");
    }

    @Test
    void decodesOptionsAndKeepsTheNextRequestQueued() throws Exception {
        String wire = "OPTIONS icap://h/r ICAP/1.0\r\nEncapsulated: null-body=0\r\n\r\n"
                + "OPTIONS icap://h/other ICAP/1.0\r\n\r\n";

        List<IcapRequestDecoder.Part> parts = decodeAll(bytes(wire), 5);

        assertThat(parts).extracting(p -> p.request().service().getPath()).containsExactly("/r", "/other");
        assertThat(parts.getFirst().request().httpRequest()).isNull();
    }

    @Test
    void rejectsABodyOverTheLimitAndGarbage() {
        String big = "REQMOD icap://h/r ICAP/1.0\r\nEncapsulated: req-hdr=0, req-body=19\r\n\r\n"
                + "POST / HTTP/1.1\r\n\r\n" + "20\r\n" + "x".repeat(32) + "\r\n0\r\n\r\n";
        assertThatThrownBy(() -> decodeAll(bytes(big), 100)).hasMessageContaining("body longer than 16");
        assertThatThrownBy(() -> decodeAll(bytes("GET / HTTP/1.1\r\n\r\n"), 100))
                .isInstanceOf(IcapProtocolException.class);
    }

    private static List<IcapRequestDecoder.Part> decodeAll(byte[] wire, int step) throws IcapProtocolException {
        IcapRequestDecoder decoder = new IcapRequestDecoder(16);
        List<IcapRequestDecoder.Part> out = new ArrayList<>();
        for (int i = 0; i < wire.length; i += step) {
            decoder.feed(wire, i, Math.min(step, wire.length - i));
            for (IcapRequestDecoder.Part p = decoder.next(); p != null; p = decoder.next()) {
                out.add(p);
            }
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}

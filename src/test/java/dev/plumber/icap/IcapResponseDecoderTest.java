package dev.plumber.icap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IcapResponseDecoderTest {

    private static final String BLOCK = "ICAP/1.0 200 OK\r\n"
            + "ISTag: \"CI0001-XXXXXXXXX\"\r\n"
            + "X-Violations-Found: 1\r\n"
            + "\tcard.txt\r\n"
            + "\tCardNo\r\n"
            + "X-Response-Info: BLOCKED\r\n"
            + "X-Response-Info: second\r\n"
            + "Encapsulated: res-hdr=0, res-body=70\r\n"
            + "\r\n"
            + "HTTP/1.1 403 Forbidden\r\n"
            + "Content-Type: text/html\r\n"
            + "Content-Length: 9\r\n"
            + "\r\n"
            + "9\r\n<b>no</b>\r\n"
            + "0\r\n\r\n";

    @Test
    void decodesBlockWithFoldedAndRepeatedHeaders() throws Exception {
        IcapResponse r = decodeAll(BLOCK, 1).getFirst();

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.istag()).isEqualTo("CI0001-XXXXXXXXX");
        assertThat(r.headers().first("X-Violations-Found")).isEqualTo("1 card.txt CardNo");
        assertThat(r.headers().all("x-response-info")).containsExactly("BLOCKED", "second");
        assertThat(r.httpRequest()).isNull();
        assertThat(r.httpResponse().statusText()).isEqualTo("403 Forbidden");
        assertThat(r.httpResponse().headers().first("Content-Type")).isEqualTo("text/html");
        assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("<b>no</b>");
    }

    @Test
    void decodesTheSameResponseWhateverTheSplit() throws Exception {
        IcapResponse whole = decodeAll(BLOCK, BLOCK.length()).getFirst();
        for (int step = 1; step < 40; step++) {
            IcapResponse split = decodeAll(BLOCK, step).getFirst();
            assertThat(split.toString()).isEqualTo(whole.toString());
            assertThat(split.body()).isEqualTo(whole.body());
        }
    }

    @Test
    void returnsNullUntilTheResponseIsComplete() throws Exception {
        IcapResponseDecoder decoder = new IcapResponseDecoder(1024);
        byte[] bytes = BLOCK.getBytes(StandardCharsets.ISO_8859_1);

        decoder.feed(bytes, 0, bytes.length - 1);
        assertThat(decoder.next()).isNull();
        decoder.feed(bytes, bytes.length - 1, 1);
        assertThat(decoder.next()).isNotNull();
        assertThat(decoder.hasBufferedBytes()).isFalse();
    }

    @Test
    void decodesContinueThen204OnOneConnection() throws Exception {
        List<IcapResponse> rs = decodeAll(
                "ICAP/1.0 100 Continue\r\n\r\n"
                        + "ICAP/1.0 204 No Content\r\nISTag: x\r\nEncapsulated: null-body=0\r\n\r\n",
                3);

        assertThat(rs).extracting(IcapResponse::status).containsExactly(100, 204);
        assertThat(rs.get(1).body()).isEmpty();
        assertThat(rs.get(1).istag()).isEqualTo("x");
    }

    @Test
    void tellsModifiedRequestFromBlock() throws Exception {
        String allowed = "ICAP/1.0 200 OK\r\n"
                + "ISTag: t\r\n"
                + "Connection: close\r\n"
                + "Encapsulated: req-hdr=0, null-body=39\r\n"
                + "\r\n"
                + "POST http://vkteams/ HTTP/1.1\r\n"
                + "A: b\r\n"
                + "\r\n";

        IcapResponse r = decodeAll(allowed, 5).getFirst();

        assertThat(r.httpRequest().method()).isEqualTo("POST");
        assertThat(r.httpRequest().headers().first("a")).isEqualTo("b");
        assertThat(r.httpResponse()).isNull();
        assertThat(r.closesConnection()).isTrue();
    }

    @Test
    void keepsOnlyTheBodyLimitAndReadsTheRest() throws Exception {
        IcapResponseDecoder decoder = new IcapResponseDecoder(4);
        byte[] bytes = BLOCK.getBytes(StandardCharsets.ISO_8859_1);
        decoder.feed(bytes, 0, bytes.length);

        IcapResponse r = decoder.next();

        assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("<b>n");
        assertThat(r.bodyTruncated()).isTrue();
        assertThat(decoder.hasBufferedBytes()).isFalse();
    }

    @Test
    void refusesEncapsulatedHeadersLargerThanTheLimitBeforeBufferingThem() throws Exception {
        // A DLP announcing gigabytes of res-hdr had the decoder buffer them all: refused as soon as the head is in.
        IcapResponseDecoder decoder = new IcapResponseDecoder(1024);
        byte[] head =
                "ICAP/1.0 200 OK\r\nEncapsulated: res-hdr=0, res-body=2000000000\r\n\r\nHTTP/1.1 403 Forbidden\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1);
        decoder.feed(head, 0, head.length);

        assertThatThrownBy(decoder::next)
                .isInstanceOf(IcapProtocolException.class)
                .hasMessage("Encapsulated announces 2000000000 bytes of HTTP headers, more than the 65536 allowed: "
                        + "'res-hdr=0, res-body=2000000000'");

        // Up to the limit is still read.
        String big = "HTTP/1.1 403 Forbidden\r\nX-Big: " + "a".repeat(IcapResponseDecoder.MAX_ENCAPSULATED_HEADS - 35)
                + "\r\n\r\n";
        assertThat(big).hasSize(IcapResponseDecoder.MAX_ENCAPSULATED_HEADS);
        IcapResponse r = decodeAll(
                        "ICAP/1.0 200 OK\r\nEncapsulated: res-hdr=0, null-body=" + big.length() + "\r\n\r\n" + big,
                        4096)
                .getFirst();
        assertThat(r.httpResponse().headers().first("X-Big")).hasSize(IcapResponseDecoder.MAX_ENCAPSULATED_HEADS - 35);
    }

    @Test
    void rejectsMalformedInput() {
        assertThatThrownBy(() -> decodeAll("HTTP/1.1 200 OK\r\n\r\n", 100))
                .isInstanceOf(IcapProtocolException.class)
                .hasMessageContaining("not an ICAP status line");
        assertThatThrownBy(() -> decodeAll("ICAP/1.0 2x0 OK\r\n\r\n", 100)).isInstanceOf(IcapProtocolException.class);
        assertThatThrownBy(() -> decodeAll("ICAP/1.0 200 OK\r\nEncapsulated: res-hdr=0\r\n\r\n", 100))
                .hasMessageContaining("no body section");
        assertThatThrownBy(() -> decodeAll(
                        "ICAP/1.0 200 OK\r\nEncapsulated: res-hdr=0, res-body=10\r\n\r\nHTTP/1.1 403 Forbidden\r\n\r\n",
                        100))
                .hasMessageContaining("does not end at its Encapsulated offset");
        assertThatThrownBy(() -> decodeAll(
                        "ICAP/1.0 200 OK\r\nEncapsulated: res-hdr=0, res-body=19\r\n\r\nHTTP/1.1 403 No\r\n\r\nzz\r\n",
                        100))
                .hasMessageContaining("bad chunk size");
        assertThatThrownBy(() -> decodeAll("ICAP/1.0 200 OK\r\n continued\r\n\r\n", 100))
                .hasMessageContaining("folded line before any header");
        // Found by IcapDecoderFuzzTest: these used to escape as IllegalArgumentException.
        assertThatThrownBy(() -> decodeAll("ICAP/1.0 200 OK\r\nX-A: a\nb\r\n\r\n", 100))
                .isInstanceOf(IcapProtocolException.class)
                .hasMessageContaining("bare CR or LF");
        assertThatThrownBy(() -> decodeAll(
                        "ICAP/1.0 200 OK\r\nEncapsulated: req-hdr=0, null-body=20\r\n\r\n POST / HTTP/1.1\r\n\r\n",
                        100))
                .isInstanceOf(IcapProtocolException.class)
                .hasMessageContaining("bad encapsulated request line");
    }

    private static List<IcapResponse> decodeAll(String wire, int step) throws IcapProtocolException {
        IcapResponseDecoder decoder = new IcapResponseDecoder(1024);
        byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        List<IcapResponse> out = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += step) {
            decoder.feed(bytes, i, Math.min(step, bytes.length - i));
            for (IcapResponse r = decoder.next(); r != null; r = decoder.next()) {
                out.add(r);
            }
        }
        return out;
    }
}

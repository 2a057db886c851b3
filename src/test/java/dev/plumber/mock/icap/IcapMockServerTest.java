package dev.plumber.mock.icap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.icap.HttpRequestHead;
import dev.plumber.icap.IcapHeaders;
import dev.plumber.icap.IcapResponse;
import dev.plumber.icap.IcapResponseDecoder;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The mock on the wire, driven by hand-written ICAP so that it does not only agree with our own client. */
@Timeout(30)
class IcapMockServerTest {

    @Test
    void advertisesPreviewAndAllow204InOptions() throws Exception {
        try (IcapMockServer mock = IcapMockServer.start(0, MockRules.demo())) {
            IcapResponse r =
                    exchange(mock, "OPTIONS icap://127.0.0.1/request ICAP/1.0\r\nEncapsulated: null-body=0\r\n\r\n");

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers().first("Methods")).isEqualTo("REQMOD");
            assertThat(r.headers().first("Preview")).isEqualTo("1024");
            assertThat(r.headers().first("Transfer-Preview")).isEqualTo("*");
            assertThat(r.headers().first("Allow")).isEqualTo("204");
            assertThat(r.headers().first("Options-TTL")).isEqualTo("3600");
            assertThat(r.istag()).isEqualTo("plumber-mock-1");
        }
    }

    @Test
    void answersServiceNotFoundForAnyServiceButItsOwn() throws Exception {
        try (IcapMockServer mock = IcapMockServer.start(0, MockRules.demo())) {
            IcapResponse options =
                    exchange(mock, "OPTIONS icap://127.0.0.1/nosuch ICAP/1.0\r\nEncapsulated: null-body=0\r\n\r\n");
            IcapResponse reqmod = exchange(
                    mock,
                    "REQMOD icap://127.0.0.1/nosuch ICAP/1.0\r\nAllow: 204\r\nEncapsulated: req-hdr=0, req-body=19"
                            + "\r\n\r\nPOST / HTTP/1.1\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            // Not a 100 Continue for the rest of a body that no service would read.
            IcapResponse preview = exchange(
                    mock,
                    "REQMOD icap://127.0.0.1/request/more ICAP/1.0\r\nPreview: 4\r\n"
                            + "Encapsulated: req-hdr=0, req-body=19\r\n\r\nPOST / HTTP/1.1\r\n\r\n"
                            + "4\r\nhell\r\n0\r\n\r\n");

            for (IcapResponse r : java.util.List.of(options, reqmod, preview)) {
                assertThat(r.status()).isEqualTo(404);
                assertThat(r.reason()).isEqualTo("Service not found");
            }
            assertThat(mock.takeRequest(java.time.Duration.ofMillis(100))).isNull();
        }
    }

    @Test
    void echoesTheRequestWhenTheClientDidNotAllow204() throws Exception {
        try (IcapMockServer mock = IcapMockServer.start(0, MockRules.demo())) {
            IcapResponse r = exchange(
                    mock,
                    "REQMOD icap://127.0.0.1/request ICAP/1.0\r\nEncapsulated: req-hdr=0, req-body=38\r\n\r\n"
                            + "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"
                            + "5\r\nhello\r\n0\r\n\r\n");

            assertThat(r.status()).isEqualTo(200);
            HttpRequestHead echoed = r.httpRequest();
            assertThat(echoed.headers()).isEqualTo(IcapHeaders.of("Content-Length", "5"));
            assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("hello");
            assertThat(mock.takeRequest(java.time.Duration.ofSeconds(1)).blockedBy())
                    .isNull();
        }
    }

    @Test
    void blocksInsideAnIeofPreviewWithAForbiddenPage() throws Exception {
        try (IcapMockServer mock = IcapMockServer.start(0, MockRules.demo())) {
            IcapResponse r = exchange(
                    mock,
                    "REQMOD icap://127.0.0.1/request ICAP/1.0\r\nPreview: 1024\r\nAllow: 204\r\n"
                            + "Encapsulated: req-hdr=0, req-body=19\r\n\r\n"
                            + "POST / HTTP/1.1\r\n\r\n"
                            + "c\r\nconfidential\r\n0; ieof\r\n\r\n");

            assertThat(r.httpResponse().statusText()).isEqualTo("403 Forbidden");
            assertThat(r.headers().first("X-Block-Reason")).isEqualTo("confidential");
            assertThat(r.headers().first("X-Response-Info")).isEqualTo("BLOCKED");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("Blocked by DLP");
        }
    }

    @Test
    void answersReqmodNoSoonerThanTheDelayItWasGiven() throws Exception {
        try (IcapMockServer mock = IcapMockServer.start(0, MockRules.demo())) {
            mock.delayAnswers(java.time.Duration.ofMillis(300));
            long start = System.nanoTime();
            IcapResponse r = exchange(
                    mock,
                    "REQMOD icap://127.0.0.1/request ICAP/1.0\r\nAllow: 204\r\nEncapsulated: req-hdr=0, req-body=19"
                            + "\r\n\r\nPOST / HTTP/1.1\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

            // A lower bound only: the mock may answer later on a busy machine, never sooner.
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(300_000_000L);
            assertThat(r.status()).isEqualTo(204);
        }
    }

    @Test
    void answersEveryReqmodWithTheFailureItWasGivenAndRecordsNone() throws Exception {
        String reqmod = "REQMOD icap://127.0.0.1/request ICAP/1.0\r\nAllow: 204\r\nEncapsulated: req-hdr=0,"
                + " req-body=19\r\n\r\nPOST / HTTP/1.1\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
        try (IcapMockServer mock = IcapMockServer.start(0, MockRules.demo())) {
            mock.failWith(503);
            assertThat(exchange(mock, reqmod).status()).isEqualTo(503);
            assertThat(mock.takeRequest(java.time.Duration.ofMillis(100))).isNull();

            mock.failWith(0);
            assertThat(exchange(mock, reqmod).status()).isEqualTo(204);
            assertThat(mock.takeRequest(java.time.Duration.ofSeconds(1))).isNotNull();
        }
    }

    private static IcapResponse exchange(IcapMockServer mock, String wire) throws Exception {
        try (Socket s = new Socket("127.0.0.1", mock.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(wire.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            IcapResponseDecoder decoder = new IcapResponseDecoder(1 << 20);
            byte[] buf = new byte[4096];
            while (true) {
                IcapResponse r = decoder.next();
                if (r != null) {
                    return r;
                }
                int n = in.read(buf);
                if (n < 0) {
                    throw new java.io.EOFException("mock closed the connection");
                }
                decoder.feed(buf, 0, n);
            }
        }
    }
}

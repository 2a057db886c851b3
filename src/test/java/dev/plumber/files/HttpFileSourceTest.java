package dev.plumber.files;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.Options;
import com.github.tomakehurst.wiremock.http.Fault;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HttpFileSourceTest {
    private WireMockServer files;
    private HttpFileSource source;

    @BeforeEach
    void start() {
        files = new WireMockServer(
                options().dynamicPort().useChunkedTransferEncoding(Options.ChunkedEncodingPolicy.NEVER));
        files.start();
        // Generous: this test is not about timeouts, and a loaded machine can be slow to answer the first request.
        source = new HttpFileSource(files.baseUrl() + "/", "secret-token", Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() throws IOException {
        source.close();
        files.stop();
    }

    @Test
    void streamsTheFileWithItsLengthUsingTheBearerToken() throws Exception {
        byte[] content = new byte[1_000_000];
        content[999_999] = 7;
        files.stubFor(get("/get/abc123").willReturn(aResponse().withStatus(200).withBody(content)));

        try (FileSource.OpenFile file = source.open("abc123")) {
            assertThat(file.length()).isEqualTo(content.length);
            assertThat(file.body().readAllBytes()).isEqualTo(content);
        }
        files.verify(
                getRequestedFor(urlEqualTo("/get/abc123")).withHeader("Authorization", equalTo("Bearer secret-token")));
    }

    @Test
    void reportsAMissingFileAsGone() {
        files.stubFor(get("/get/nope").willReturn(aResponse().withStatus(404)));

        assertThatThrownBy(() -> source.open("nope")).isInstanceOf(FileSource.FileGoneException.class);
    }

    @Test
    void reportsOtherFailuresAsPlainIoErrors() throws IOException {
        files.stubFor(get("/get/err").willReturn(aResponse().withStatus(503)));
        files.stubFor(get("/get/reset").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        files.stubFor(get("/get/slow").willReturn(aResponse().withStatus(200).withFixedDelay(10_000)));

        assertThatThrownBy(() -> source.open("err"))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(FileSource.FileGoneException.class)
                .hasMessageContaining("503");
        assertThatThrownBy(() -> source.open("reset")).isInstanceOf(IOException.class);
        try (HttpFileSource impatient =
                new HttpFileSource(files.baseUrl() + "/", "secret-token", Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> impatient.open("slow")).isInstanceOf(IOException.class);
        }
    }

    /** A file left unread after its first bytes — the DLP answered after the preview — is not fetched to its end. */
    @Test
    void closingAFileBeforeItsEndDropsTheConnectionInsteadOfReadingTheRest() throws Exception {
        long size = 1L << 30;
        AtomicLong sent = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/get/", exchange -> {
            byte[] chunk = new byte[64 * 1024];
            exchange.sendResponseHeaders(200, exchange.getRequestURI().getPath().endsWith("small") ? 3 : size);
            try (OutputStream out = exchange.getResponseBody()) {
                if (exchange.getRequestURI().getPath().endsWith("small")) {
                    out.write(new byte[] {1, 2, 3});
                    return;
                }
                for (long left = size; left > 0; left -= chunk.length) {
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // The client went away, as it should.
            }
        });
        server.start();
        try (HttpFileSource big =
                new HttpFileSource("http://127.0.0.1:" + server.getAddress().getPort(), null, Duration.ofSeconds(30))) {
            try (FileSource.OpenFile file = big.open("huge")) {
                assertThat(file.length()).isEqualTo(size);
                assertThat(file.body().readNBytes(100_000)).hasSize(100_000);
            }
            Thread.sleep(200); // what the server still manages to write before it sees the connection gone
            assertThat(sent.get()).isLessThan(size / 8);

            try (FileSource.OpenFile file = big.open("small")) { // the source still works, and a whole file...
                assertThat(file.body().readAllBytes()).containsExactly(1, 2, 3);
            } // ...closes without a complaint
        } finally {
            server.stop(0);
        }
    }
}

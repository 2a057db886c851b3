package dev.plumber.mock.icap;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.plumber.testkit.SquidProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Squid 5 as an independent ICAP client of our mock (notes/icap.md, "Squid as a real ICAP client"). */
@Timeout(90)
class SquidInteropIT {
    private static IcapMockServer mock;
    private static SquidProxy squid;
    private static HttpServer origin;
    private static final AtomicInteger originHits = new AtomicInteger();
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        mock = IcapMockServer.start(0, MockRules.demo());
        origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        origin.createContext("/", exchange -> {
            byte[] in = exchange.getRequestBody().readAllBytes();
            originHits.incrementAndGet();
            byte[] out = ("origin got " + in.length + " bytes").getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        origin.start();
        squid = SquidProxy.start(URI.create("icap://127.0.0.1:" + mock.port() + "/request"));
        http = HttpClient.newBuilder()
                .proxy(ProxySelector.of(squid.address()))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (http != null) {
            http.close();
        }
        if (squid != null) {
            squid.close();
        }
        if (origin != null) {
            origin.stop(0);
        }
        if (mock != null) {
            mock.close();
        }
    }

    @Test
    void aPostWithACardNumberGetsTheMocksBlockPage() throws Exception {
        int before = originHits.get();

        HttpResponse<String> response = post("{\"text\":\"card 4111 1111 1111 1111\"}");

        assertThat(response.statusCode()).as(squid.cacheLog()).isEqualTo(403);
        assertThat(response.body()).contains("Blocked by DLP").contains("card number");
        assertThat(originHits.get()).isEqualTo(before);
    }

    @Test
    void aPlainPostReachesTheOrigin() throws Exception {
        String body = "{\"text\":\"lunch at noon?\"}";

        HttpResponse<String> response = post(body);

        assertThat(response.statusCode()).as(squid.cacheLog()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("origin got " + body.length() + " bytes");
    }

    @Test
    void aLargePlainPostPassesThePreviewAndReachesTheOrigin() throws Exception {
        String body = "harmless text ".repeat(20_000);

        HttpResponse<String> response = post(body);

        assertThat(response.statusCode()).as(squid.cacheLog()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("origin got " + body.length() + " bytes");
    }

    @Test
    void aCardNumberAfterThePreviewIsStillBlocked() throws Exception {
        HttpResponse<String> response = post("x".repeat(5000) + " 4111-1111-1111-1111");

        assertThat(response.statusCode()).as(squid.cacheLog()).isEqualTo(403);
    }

    private static HttpResponse<String> post(String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + origin.getAddress().getPort() + "/chat"))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}

package dev.plumber.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.auth.TokenSessions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class GatewayHttpTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void livenessFailsOnlyWhenItsOwnCheckDoesWhateverReadinessSays() throws Exception {
        AtomicReference<String> intake = new AtomicReference<>();
        Health notReady = new Health().required("store", "the status store does not answer");
        try (GatewayHttp http = new GatewayHttp(
                0,
                null,
                null,
                new TokenSessions<>(Duration.ofHours(1), Clock.systemUTC()),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> new Health().required("intake", intake.get()),
                () -> notReady,
                app -> {})) {
            assertThat(get(http, "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(http, "/health/ready").statusCode()).isEqualTo(503);

            intake.set("the Kafka intake has stopped");
            HttpResponse<String> live = get(http, "/health/live");

            assertThat(live.statusCode()).isEqualTo(503);
            assertThat(live.body()).contains("\"reason\":\"intake: the Kafka intake has stopped\"");
        }
    }

    @Test
    void aMalformedLogInIsABadRequest() throws Exception {
        try (GatewayHttp http = new GatewayHttp(
                0,
                null,
                null,
                new TokenSessions<>(Duration.ofHours(1), Clock.systemUTC()),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Health::new,
                Health::new,
                app -> {})) {
            for (String body : new String[] {"not json", "{\"email\":\"a@b\"}", "", "[]"}) {
                HttpResponse<String> response = HTTP.send(
                        HttpRequest.newBuilder(uri(http, "/api/v1/login"))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(body).isEqualTo(400);
                assertThat(response.body()).contains("must be JSON");
            }
        }
    }

    private static HttpResponse<String> get(GatewayHttp http, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(http, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(GatewayHttp http, String path) {
        return URI.create("http://127.0.0.1:" + http.port() + path);
    }
}

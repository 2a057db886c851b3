package dev.plumber.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.UUID;

/** A running gateway's request API, logged in as the bootstrap admin the integration tests configure. */
public final class GatewayApi {
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(90);

    private final JsonHttp http;

    private GatewayApi(JsonHttp http) {
        this.http = http;
    }

    /** Logs in to the gateway listening on {@code port} as {@code admin@it.local} with password {@code pw}. */
    public static GatewayApi asAdmin(int port) throws Exception {
        return new GatewayApi(new JsonHttp("http://127.0.0.1:" + port).login("admin@it.local", "pw"));
    }

    /** Waits up to 90 s for the request row of event {@code id} to reach {@code status}, and returns the row. */
    public JsonNode awaitStatus(UUID id, String status) throws Exception {
        return awaitStatus(id, status, STATUS_TIMEOUT);
    }

    /** Waits up to {@code timeout} for the request row of event {@code id} to reach {@code status}. */
    public JsonNode awaitStatus(UUID id, String status, Duration timeout) throws Exception {
        return Eventually.within(timeout, () -> {
            JsonNode row = http.get("/api/v1/requests/" + id);
            assertThat(row.path("status").asText())
                    .as("status of %s: %s", id, row)
                    .isEqualTo(status);
            return row;
        });
    }

    /** GETs {@code path} of the API (e.g. a filtered list of requests) as JSON. */
    public JsonNode get(String path) throws Exception {
        return http.get(path);
    }

    /** The gateway's {@code /metrics} page in the Prometheus text format. */
    public String metrics() throws Exception {
        return http.text("/metrics");
    }
}

package dev.plumber.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** A JSON-over-HTTP client for tests, logged in with a bearer token once {@link #login} succeeded. */
public final class JsonHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private String token;

    public JsonHttp(String base) {
        this.base = base;
    }

    public JsonHttp login(String email, String password) throws Exception {
        token = post("/api/v1/login", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}")
                .get("token")
                .asText();
        return this;
    }

    public JsonNode get(String path) throws Exception {
        return send(request(path).GET().build());
    }

    /** GETs a page that is not JSON (e.g. {@code /metrics}) and returns its body. */
    public String text(String path) throws Exception {
        return sendForBody(request(path).GET().build());
    }

    public JsonNode post(String path, String json) throws Exception {
        return send(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    /** Uploads {@code content} as the multipart part {@code file}. */
    public JsonNode upload(String path, String filename, byte[] content) throws Exception {
        String boundary = "b" + UUID.randomUUID().toString().replace("-", "");
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                        + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + content.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(content, 0, body, head.length, content.length);
        System.arraycopy(tail, 0, body, head.length + content.length, tail.length);
        return send(request(path)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path));
        return token == null ? builder : builder.header("Authorization", "Bearer " + token);
    }

    private JsonNode send(HttpRequest request) throws Exception {
        return JSON.readTree(sendForBody(request));
    }

    private String sendForBody(HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(
                    request.method() + " " + request.uri() + " → " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }
}

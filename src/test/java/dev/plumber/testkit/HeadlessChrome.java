package dev.plumber.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Headless Chromium driven through chromedriver's W3C WebDriver protocol (JSON over HTTP), with Debian's
 * {@code chromium} and {@code chromium-driver}: no browser download, no WebDriver library. Elements are CSS-selected.
 */
public final class HeadlessChrome implements AutoCloseable {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final Process driver;
    private final Path profile;
    private final String base;
    private final String session;

    private HeadlessChrome(Process driver, Path profile, String base) throws Exception {
        this.driver = driver;
        this.profile = profile;
        this.base = base;
        ObjectNode options = JSON.createObjectNode();
        options.put("binary", CHROMIUM.toString());
        var args = options.putArray("args");
        for (String arg : List.of(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1400,1000",
                "--user-data-dir=" + profile)) {
            args.add(arg);
        }
        ObjectNode body = JSON.createObjectNode();
        ObjectNode always = body.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        always.set("goog:chromeOptions", options);
        session = send("POST", "/session", body).get("sessionId").asText();
    }

    /** Whether Debian's chromium and chromium-driver are installed (scripts/test-env.sh installs them). */
    public static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    public static HeadlessChrome start() throws Exception {
        int port = FreePorts.one();
        Path profile = Files.createTempDirectory("plumber-chromium");
        // In a session of its own: chromedriver and Chromium signal their process group when they quit, which must
        // not reach the JVM that runs the tests.
        Process driver = new ProcessBuilder("setsid", CHROMEDRIVER.toString(), "--port=" + port)
                .redirectErrorStream(true)
                .redirectOutput(profile.resolveSibling(profile.getFileName() + ".driver.log")
                        .toFile())
                .start();
        String base = "http://127.0.0.1:" + port;
        HttpClient probe = HttpClient.newHttpClient();
        Eventually.within(Duration.ofSeconds(20), () -> probe.send(
                        HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode());
        try {
            return new HeadlessChrome(driver, profile, base);
        } catch (Exception e) {
            driver.destroyForcibly();
            throw e;
        }
    }

    public void open(String url) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("url", url);
        send("POST", path("/url"), body);
    }

    public String url() throws Exception {
        return send("GET", path("/url"), null).asText();
    }

    public String title() throws Exception {
        return send("GET", path("/title"), null).asText();
    }

    /** The element's id, waiting up to five seconds for it to appear. */
    public String find(String css) throws Exception {
        return Eventually.within(Duration.ofSeconds(5), () -> {
            JsonNode found = send(
                    "POST",
                    path("/element"),
                    JSON.createObjectNode().put("using", "css selector").put("value", css));
            return found.elements().next().asText();
        });
    }

    public List<String> findAll(String css) throws Exception {
        JsonNode found = send(
                "POST",
                path("/elements"),
                JSON.createObjectNode().put("using", "css selector").put("value", css));
        List<String> ids = new ArrayList<>();
        found.forEach(e -> ids.add(e.elements().next().asText()));
        return ids;
    }

    public void click(String css) throws Exception {
        send("POST", path("/element/" + find(css) + "/click"), JSON.createObjectNode());
    }

    public void type(String css, String text) throws Exception {
        String element = find(css);
        send("POST", path("/element/" + element + "/clear"), JSON.createObjectNode());
        send(
                "POST",
                path("/element/" + element + "/value"),
                JSON.createObjectNode().put("text", text));
    }

    /** The rendered text of the element, as a user reads it. */
    public String text(String css) throws Exception {
        return send("GET", path("/element/" + find(css) + "/text"), null).asText();
    }

    /** The element's markup as the browser parsed it. */
    public String innerHtml(String css) throws Exception {
        return send("GET", path("/element/" + find(css) + "/property/innerHTML"), null)
                .asText();
    }

    /** Runs a script in the page and returns its result. */
    public JsonNode script(String js) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("script", js);
        body.putArray("args");
        return send("POST", path("/execute/sync"), body);
    }

    /** The text of an open alert dialog, or null when there is none. */
    public String alertText() throws Exception {
        HttpResponse<String> response = raw("GET", path("/alert/text"), null);
        return response.statusCode() == 200
                ? JSON.readTree(response.body()).get("value").asText()
                : null;
    }

    public void screenshot(Path file) throws Exception {
        byte[] png = Base64.getDecoder()
                .decode(send("GET", path("/screenshot"), null).asText());
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, png);
    }

    private String path(String suffix) {
        return "/session/" + session + suffix;
    }

    private JsonNode send(String method, String path, JsonNode body) throws Exception {
        HttpResponse<String> response = raw(method, path, body);
        JsonNode value = JSON.readTree(response.body()).get("value");
        if (response.statusCode() != 200) {
            throw new IOException(method + " " + path + " → " + response.statusCode() + " " + value);
        }
        return value;
    }

    private HttpResponse<String> raw(String method, String path, JsonNode body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(60))
                        .method(method, publisher)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        try {
            raw("DELETE", "/session/" + session, null);
        } finally {
            driver.destroy();
            if (!driver.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
            try (var paths = Files.walk(profile)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // A leftover profile in the temp directory is harmless.
            }
        }
    }
}

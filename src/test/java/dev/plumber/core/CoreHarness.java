package dev.plumber.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plumber.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What the core's integration tests share: a fresh database and topics per test, logged-in clients, topic reads. */
final class CoreHarness {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SERVICE_TOKEN = "gateway-service-token-for-core-it";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private CoreHarness() {}

    /** A database and topics of one test, on {@code bootstrapServers}. */
    record Setup(EmbeddedPostgres postgres, String database, String jdbcUrl, String topic, String bootstrapServers) {

        /** Creates the database and the requests, journal and status topics. */
        static Setup fresh(EmbeddedPostgres postgres, String bootstrapServers, String prefix) throws Exception {
            int n = SEQUENCE.incrementAndGet();
            String database = prefix + "_" + n;
            Setup setup = new Setup(
                    postgres,
                    database,
                    postgres.createDatabase(database),
                    "dlp.requests." + prefix + n,
                    bootstrapServers);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
                admin.createTopics(List.of(
                                new NewTopic(setup.topic(), 1, (short) 1),
                                new NewTopic(setup.adminTopic(), 1, (short) 1),
                                new NewTopic(setup.systemTopic(), 1, (short) 1),
                                new NewTopic(setup.statusTopic(), 1, (short) 1)))
                        .all()
                        .get(60, TimeUnit.SECONDS);
            }
            return setup;
        }

        /** This setup's {@code admin-events} journal topic. */
        String adminTopic() {
            return topic + ".admin";
        }

        /** This setup's {@code system-events} journal topic. */
        String systemTopic() {
            return topic + ".system";
        }

        /** This setup's {@code dlp.status}: the statuses the core reads. */
        String statusTopic() {
            return topic + ".status";
        }

        /** The core's configuration for this setup: four accounts (password "demo"), files under {@code dir}. */
        CoreConfig.Builder config(Path dir) {
            return CoreConfig.builder()
                    .port(0)
                    .bootstrapServers(bootstrapServers)
                    .requestsTopic(topic)
                    .journalTopics(adminTopic(), systemTopic())
                    .statusTopic(statusTopic())
                    // A group per test: a core closed by the previous test must not hold up this one's rebalance.
                    .groupId("core-" + database)
                    .store(jdbcUrl, postgres.user(), "")
                    .keyFile(dir.resolve("core-message.key"))
                    .filesDir(dir.resolve("files"))
                    .serviceToken(SERVICE_TOKEN)
                    .passwordIterations(1_000)
                    .account("alice@demo.local", "demo", "user")
                    .account("bob@demo.local", "demo", "user")
                    .account("carol@demo.local", "demo", "user")
                    .account("admin@demo.local", "demo", "admin");
        }

        /** A connection to this setup's database, for what {@link #count} and {@link #execute} do not cover. */
        Connection connect() throws SQLException {
            return postgres.dataSource(database).getConnection();
        }

        long count(String tableAndCondition) throws SQLException {
            try (Connection c = connect();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM " + tableAndCondition)) {
                rs.next();
                return rs.getLong(1);
            }
        }

        void execute(String sql) throws SQLException {
            try (Connection c = connect();
                    Statement s = c.createStatement()) {
                s.execute(sql);
            }
        }

        /** DLP events still in the outbox (journal entries share it and are not counted). */
        long pendingEvents() throws SQLException {
            return count("core.outbox WHERE topic = '" + topic + "'");
        }

        /** Reads the requests topic; see {@link #consume(String, int, Duration)}. */
        List<ConsumerRecord<String, byte[]>> consume(int expected) {
            return consume(topic, expected, Duration.ofSeconds(30));
        }

        /** Reads {@code name} from the start until {@code expected} records arrived, then a little longer for extras. */
        List<ConsumerRecord<String, byte[]>> consume(String name, int expected, Duration wait) {
            Map<String, Object> props = Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    bootstrapServers,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                    "read_committed");
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            try (KafkaConsumer<String, byte[]> consumer =
                    new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition partition = new TopicPartition(name, 0);
                consumer.assign(Set.of(partition));
                consumer.seekToBeginning(Set.of(partition));
                long deadline = System.nanoTime() + wait.toNanos();
                while (records.size() < expected && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                }
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            return records;
        }
    }

    static List<JsonNode> values(List<ConsumerRecord<String, byte[]>> records) throws Exception {
        List<JsonNode> values = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            values.add(JSON.readTree(record.value()));
        }
        return values;
    }

    /** A logged-in API client; {@code forwardedFor} (may be null) stands for the client's address behind a proxy. */
    record Api(HttpClient http, int port, String token) {
        static HttpResponse<String> tryLogin(HttpClient http, int port, String email, String password)
                throws Exception {
            return tryLogin(http, port, email, password, null);
        }

        static HttpResponse<String> tryLogin(
                HttpClient http, int port, String email, String password, String forwardedFor) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/api/v1/login"))
                    .POST(HttpRequest.BodyPublishers.ofString(
                            JSON.writeValueAsString(Map.of("email", email, "password", password))))
                    .header("Content-Type", "application/json");
            if (forwardedFor != null) {
                request.header("X-Forwarded-For", forwardedFor);
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        /** Logs in with the password {@link Setup#config} gives every account. */
        static Api login(HttpClient http, int port, String email) throws Exception {
            return login(http, port, email, "demo");
        }

        static Api login(HttpClient http, int port, String email, String password) throws Exception {
            HttpResponse<String> response = tryLogin(http, port, email, password);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return new Api(
                    http, port, JSON.readTree(response.body()).get("token").asText());
        }

        HttpRequest.Builder request(String path) {
            return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + token);
        }

        HttpResponse<String> get(String path) throws Exception {
            return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(String path, Map<String, ?> body) throws Exception {
            return post(path, body, null);
        }

        HttpResponse<String> post(String path, Map<String, ?> body, String forwardedFor) throws Exception {
            HttpRequest.Builder request = request(path)
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                    .header("Content-Type", "application/json");
            if (forwardedFor != null) {
                request.header("X-Forwarded-For", forwardedFor);
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> put(String path, Map<String, ?> body) throws Exception {
            return http.send(
                    request(path)
                            .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                            .header("Content-Type", "application/json")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> send(long chat, String text) throws Exception {
            return post("/api/v1/chats/" + chat + "/messages", Map.of("text", text));
        }

        long sent(long chat, String text) throws Exception {
            HttpResponse<String> response = send(chat, text);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return JSON.readTree(response.body()).get("mid").asLong();
        }

        long createChat(String type, List<String> members, String title) throws Exception {
            Map<String, Object> body = new HashMap<>(Map.of("type", type, "members", members));
            if (title != null) {
                body.put("title", title);
            }
            HttpResponse<String> response = post("/api/v1/chats", body);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return JSON.readTree(response.body()).get("id").asLong();
        }

        List<JsonNode> history(long chat) throws Exception {
            List<JsonNode> items = new ArrayList<>();
            JSON.readTree(get("/api/v1/chats/" + chat + "/messages").body())
                    .get("items")
                    .forEach(items::add);
            return items;
        }

        HttpResponse<String> upload(String name, String mime, byte[] bytes) throws Exception {
            Multipart body = Multipart.of(name, mime);
            return http.send(
                    request("/api/v1/files")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body.wrap(bytes)))
                            .header("Content-Type", body.contentType())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** Opens the WebSocket; every text frame lands in {@code frames}. */
        WebSocket socket(BlockingQueue<String> frames)
                throws InterruptedException, ExecutionException, TimeoutException {
            return http.newWebSocketBuilder()
                    .buildAsync(
                            URI.create("ws://127.0.0.1:" + port + "/api/v1/ws?token=" + token),
                            new WebSocket.Listener() {
                                @Override
                                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                                    frames.add(data.toString());
                                    ws.request(1);
                                    return null;
                                }
                            })
                    .get(10, TimeUnit.SECONDS);
        }
    }

    /** A one-part {@code multipart/form-data} body around a file's bytes. */
    record Multipart(byte[] head, byte[] tail, String contentType) {
        private static final String BOUNDARY = "----core-it-boundary";

        static Multipart of(String name, String mime) {
            return new Multipart(
                    ("--" + BOUNDARY + "\r\n"
                                    + "Content-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\n"
                                    + "Content-Type: " + mime + "\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    ("\r\n--" + BOUNDARY + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "multipart/form-data; boundary=" + BOUNDARY);
        }

        byte[] wrap(byte[] bytes) {
            byte[] body = new byte[head.length + bytes.length + tail.length];
            System.arraycopy(head, 0, body, 0, head.length);
            System.arraycopy(bytes, 0, body, head.length, bytes.length);
            System.arraycopy(tail, 0, body, head.length + bytes.length, tail.length);
            return body;
        }
    }
}

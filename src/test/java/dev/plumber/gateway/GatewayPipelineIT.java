package dev.plumber.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plumber.auth.PasswordHasher;
import dev.plumber.delivery.DeliveryException;
import dev.plumber.delivery.DlpSender;
import dev.plumber.delivery.Verdict;
import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.event.DlpEvent;
import dev.plumber.event.EventCodec;
import dev.plumber.event.MessageEvent;
import dev.plumber.intake.DeadLetters;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSettingsSource;
import dev.plumber.settings.DlpSystem;
import dev.plumber.settings.GatewayConfig;
import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.GatewayApi;
import dev.plumber.testkit.KafkaTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gateway on a real Kafka broker and a real PostgreSQL, with a scripted DLP behind the sender interface. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GatewayPipelineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The largest record the requests topic and the test's producer take. */
    private static final int BIG_RECORDS = 4 << 20;

    private static EmbeddedKafka kafka;
    private static EmbeddedPostgres postgres;
    private static Gateway gateway;
    private static final ScriptedDlp dlp = new ScriptedDlp();
    private static GatewayApi api;

    /**
     * Blocks texts containing "secret"; fails transiently while a message's countdown lasts; holds a call on a text
     * starting with "slow" until the test lets it go.
     */
    static final class ScriptedDlp implements DlpSender {
        final List<UUID> calls = new CopyOnWriteArrayList<>();
        final Map<String, AtomicInteger> transientFailures = new ConcurrentHashMap<>();
        final CountDownLatch slowCalls = new CountDownLatch(1);

        @Override
        public Verdict send(DlpEvent event, DlpSettings settings) throws DeliveryException {
            calls.add(event.id());
            String text = ((MessageEvent) event).text();
            AtomicInteger failures = transientFailures.get(text);
            if (failures != null && failures.getAndDecrement() > 0) {
                throw DeliveryException.transientFailure("dlp", "connection reset", null);
            }
            if (text.startsWith("slow")) {
                try {
                    // Bounded, so a test that fails before letting go does not hold the gateway's close.
                    slowCalls.await(2, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (text.contains("a bug")) {
                // As a sender's own bug would: the request for this one event cannot be built.
                throw new IllegalArgumentException("header X-Authenticated-User value contains a line break");
            }
            if (text.contains("permanent")) {
                throw DeliveryException.permanent("dlp", "ICAP 400 Bad Request", null);
            }
            return text.contains("secret")
                    ? Verdict.blocked("403 Forbidden; X-Block-Reason: secret", "IST-1")
                    : Verdict.allowed("IST-1");
        }
    }

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        postgres = EmbeddedPostgres.start();
        String url = postgres.createDatabase("plumber");
        KafkaTopics.create(kafka.bootstrapServers(), Map.of("dlp.status", 1, "dlp.requests.dlq", 1));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            // Taking events larger than Kafka's default 1 MiB, as a topic may: the gateway must still dead-letter them.
            admin.createTopics(List.of(new NewTopic("dlp.requests", 3, (short) 1)
                            .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(BIG_RECORDS)))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        GatewayConfig config = new GatewayConfig(
                null,
                null,
                null,
                new GatewayConfig.Kafka(kafka.bootstrapServers(), "plumber-it", null),
                new GatewayConfig.Store(url, postgres.user(), ""),
                new GatewayConfig.Http(0),
                new GatewayConfig.Console(new GatewayConfig.Account("admin@it.local", "pw")));
        DlpSettings settings = DlpSettings.fromMap(Map.of("system", "icap", "address", "icap://127.0.0.1:1/request"));
        DlpSettingsSource source = DlpSettingsSource.fixed(settings);
        // SENDING after a second, not 50 ms: the test counts an instant call's status writes, which a stall of the
        // machine in the middle of the call must not turn into two.
        gateway = Gateway.start(
                config, source, Map.of(DlpSystem.ICAP, dlp), new PasswordHasher(1_000), Duration.ofSeconds(1));
        api = GatewayApi.asAdmin(gateway.httpPort());
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void recordsAllowedAndBlockedVerdictsAndPublishesThem() throws Exception {
        MessageEvent ok = message("c-1", "hello");
        MessageEvent secret = message("c-1", "a secret plan");
        send(ok);
        send(secret);

        JsonNode allowed = awaitStatus(ok.id(), "ALLOWED");
        JsonNode blocked = awaitStatus(secret.id(), "BLOCKED");

        assertThat(allowed.get("dlpReference").asText()).isEqualTo("IST-1");
        assertThat(allowed.get("attempts").asInt()).isEqualTo(1);
        assertThat(blocked.get("reason").asText()).contains("X-Block-Reason: secret");
        assertThat(blocked.get("chat").asText()).isEqualTo("c-1");
        // The status reaches the topic after the store has it: read again until it is there.
        Eventually.within(Duration.ofSeconds(30), () -> {
            List<String> published =
                    KafkaTopics.read(kafka.bootstrapServers(), "dlp.status", 100, Duration.ofSeconds(5)).stream()
                            .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                            .filter(v -> v.contains(secret.id().toString()))
                            .toList();
            assertThat(published).anySatisfy(v -> assertThat(v).contains("\"status\":\"BLOCKED\""));
            return null;
        });
    }

    /** SPEC §6: API clients read a request's fields by name, and a reader of the raw JSON sees them in this order. */
    @Test
    void theApiShowsARequestsFieldsInTheirOrder() throws Exception {
        MessageEvent event = message("c-fields", "hello");
        send(event);
        JsonNode detail = awaitStatus(event.id(), "ALLOWED");

        List<String> fields = List.of(
                "id",
                "type",
                "status",
                "mid",
                "chat",
                "sender",
                "hash",
                "fileName",
                "reason",
                "dlpSystem",
                "dlpAddress",
                "dlpReference",
                "attempts",
                "lastError",
                "nextAttemptAt",
                "topic",
                "partition",
                "offset",
                "eventTs",
                "receivedAt",
                "updatedAt",
                "completedAt");
        JsonNode page = api.get("/api/v1/requests?chat=c-fields");
        assertThat(page.fieldNames()).toIterable().containsExactly("items", "total");
        assertThat(page.get("items").get(0).fieldNames()).toIterable().containsExactlyElementsOf(fields);
        List<String> detailFields = new java.util.ArrayList<>(fields);
        detailFields.add("linked");
        assertThat(detail.fieldNames()).toIterable().containsExactlyElementsOf(detailFields);
    }

    @Test
    void malformedEventsGoToTheDeadLetterTopicWithTheReason() throws Exception {
        KafkaTopics.produce(
                kafka.bootstrapServers(),
                "dlp.requests",
                "k".getBytes(StandardCharsets.UTF_8),
                "{\"v\":1,\"type\":\"sms\"}".getBytes(StandardCharsets.UTF_8));

        ConsumerRecord<byte[], byte[]> letter = Eventually.within(Duration.ofSeconds(30), () -> {
            var letters = KafkaTopics.read(kafka.bootstrapServers(), "dlp.requests.dlq", 1_000, Duration.ofSeconds(3));
            var mine = letters.stream()
                    .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains("sms"))
                    .findFirst();
            assertThat(mine).isPresent();
            return mine.get();
        });
        assertThat(header(letter, DeadLetters.ORIGINAL_TOPIC)).isEqualTo("dlp.requests");
        assertThat(header(letter, DeadLetters.STAGE)).isEqualTo("decode");
        assertThat(header(letter, DeadLetters.ERROR_MESSAGE)).contains("unknown event type 'sms'");
        JsonNode page = api.get("/api/v1/requests?status=FAILED&type=malformed");
        assertThat(page.get("total").asLong()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void permanentDlpErrorsFailTheRequestAndDeadLetterIt() throws Exception {
        MessageEvent bad = message("c-3", "permanent trouble");
        send(bad);

        JsonNode failed = awaitStatus(bad.id(), "FAILED");

        assertThat(failed.get("reason").asText()).contains("ICAP 400");
        Eventually.within(Duration.ofSeconds(30), () -> {
            assertThat(KafkaTopics.read(kafka.bootstrapServers(), "dlp.requests.dlq", 100, Duration.ofSeconds(5)))
                    .anySatisfy(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8))
                            .contains(bad.id().toString()));
            return null;
        });
    }

    @Test
    void transientFailuresAreRetriedUntilTheDlpAnswers() throws Exception {
        MessageEvent flaky = message("c-2", "flaky one");
        dlp.transientFailures.put("flaky one", new AtomicInteger(4));
        send(flaky);

        JsonNode allowed = awaitStatus(flaky.id(), "ALLOWED");

        assertThat(allowed.get("attempts").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(allowed.get("lastError").asText()).contains("connection reset");
        assertThat(allowed.has("nextAttemptAt")).isTrue();
        assertThat(allowed.get("nextAttemptAt").isNull())
                .as("no next attempt once decided")
                .isTrue();
        assertThat(allowed.get("linked")).isEmpty();
    }

    @Test
    void aRedeliveredEventIsDecidedOnce() throws Exception {
        MessageEvent event = message("c-4", "twice");
        send(event);
        awaitStatus(event.id(), "ALLOWED");
        send(event);
        MessageEvent after = message("c-4", "after the duplicate");
        send(after);
        awaitStatus(after.id(), "ALLOWED");

        assertThat(dlp.calls.stream().filter(event.id()::equals)).hasSize(1);
        JsonNode page = api.get("/api/v1/requests?chat=c-4");
        assertThat(page.get("total").asLong()).isEqualTo(2);
    }

    @Test
    void eventsPolledWhileAnotherBatchIsInFlightAreAllDecided() throws Exception {
        MessageEvent slow = message("c-5", "slow one");
        send(slow);
        List<MessageEvent> others = new java.util.ArrayList<>();
        try {
            // A call running longer than a moment shows as SENDING while it runs, its attempt counted. The call is
            // held until the test has seen that, rather than lasting a fixed time a loaded machine could outrun.
            JsonNode sending = awaitStatus(slow.id(), "SENDING");
            assertThat(sending.get("attempts").asInt()).isEqualTo(1);
            // The row keeps when the event came in, not when its SENDING was written, a second into the call.
            assertThat(Duration.between(
                            Instant.parse(sending.get("receivedAt").asText()),
                            Instant.parse(sending.get("updatedAt").asText())))
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            for (int i = 0; i < 6; i++) {
                MessageEvent other = message("c-other-" + i, "meanwhile " + i);
                others.add(other);
                send(other);
            }
            // Other chats are decided while the slow call is still in flight.
            for (MessageEvent other : others) {
                awaitStatus(other.id(), "ALLOWED");
            }
        } finally {
            dlp.slowCalls.countDown();
        }
        awaitStatus(slow.id(), "ALLOWED");
        MessageEvent later = message("c-5", "later on the same chat");
        send(later);

        awaitStatus(later.id(), "ALLOWED");
        assertThat(awaitStatus(slow.id(), "ALLOWED").get("attempts").asInt()).isEqualTo(1);
        // The statuses reach the topic after the store has them: read again until both outcomes are there.
        Eventually.within(Duration.ofSeconds(30), () -> {
            List<ConsumerRecord<byte[], byte[]>> published =
                    KafkaTopics.read(kafka.bootstrapServers(), "dlp.status", 1_000, Duration.ofSeconds(5));
            assertThat(statuses(published, slow.id())).containsExactly("SENDING", "ALLOWED");
            // One answered at once has one status write, its outcome.
            assertThat(statuses(published, later.id())).containsExactly("ALLOWED");
            return null;
        });
    }

    /**
     * A row the database refuses, as it would every time — here for a constraint it gains for the test, in life for a
     * value too large for an index entry — is written without the event's own fields: the DLP's outcome is kept, the
     * event is sent once, and the events after it on its partition go on.
     */
    @Test
    void anEventWhoseRowTheDatabaseRefusesIsDecidedWithoutItsFields() throws Exception {
        try (Connection c = postgres.dataSource("plumber").getConnection();
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE gateway.requests ADD CONSTRAINT refused_sender"
                    + " CHECK (sender IS DISTINCT FROM 'refused@it.local')");
        }
        MessageEvent refused = new MessageEvent(
                UUID.randomUUID(),
                1,
                "refused@it.local",
                "c-6",
                "group",
                "a secret",
                null,
                "{}",
                null,
                Instant.now(),
                false);
        MessageEvent after = message("c-6", "after it on the same chat");
        send(refused);
        send(after);

        JsonNode row = awaitStatus(refused.id(), "BLOCKED");
        assertThat(row.get("reason").asText()).contains("X-Block-Reason: secret");
        assertThat(row.path("sender").isMissingNode() || row.path("sender").isNull())
                .isTrue();
        assertThat(row.path("chat").isMissingNode() || row.path("chat").isNull())
                .isTrue();
        assertThat(row.get("lastError").asText())
                .contains("the status store refused the event's row", "refused_sender")
                .doesNotContain("Failing row");
        assertThat(awaitStatus(after.id(), "ALLOWED").get("chat").asText()).isEqualTo("c-6");
        assertThat(dlp.calls.stream().filter(refused.id()::equals)).hasSize(1);
    }

    /**
     * A CR/LF in the sender would end the ICAP header it goes into: the event is malformed, dead-lettered with the
     * reason, and the chat goes on — it stayed RETRYING for ever and held up its partition.
     */
    @Test
    void aSenderWithALineBreakIsMalformedAndTheChatGoesOn() throws Exception {
        MessageEvent evil = new MessageEvent(
                UUID.randomUUID(),
                1,
                "alice@demo.local\r\nX-Evil: 1",
                "c-crlf",
                "group",
                "hello",
                null,
                "{}",
                "10.0.0.5",
                Instant.now(),
                false);
        MessageEvent next = message("c-crlf", "the next one");
        send(evil);
        send(next);

        JsonNode failed = awaitStatus(evil.id(), "FAILED");
        assertThat(failed.get("reason").asText()).contains("field 'sender' holds a control character (U+000D)");
        assertThat(awaitStatus(next.id(), "ALLOWED").get("chat").asText()).isEqualTo("c-crlf");
        ConsumerRecord<byte[], byte[]> letter = awaitLetter(evil.id().toString());
        assertThat(header(letter, DeadLetters.STAGE)).isEqualTo("decode");
        assertThat(header(letter, DeadLetters.ERROR_MESSAGE)).contains("field 'sender' holds a control character");
        assertThat(dlp.calls).doesNotContain(evil.id());
    }

    /** A bug that one event sets off fails it, once, rather than retrying it for ever and holding up its chat. */
    @Test
    void anUnexpectedErrorOnOneEventFailsItAndTheChatGoesOn() throws Exception {
        MessageEvent buggy = message("c-bug", "sets off a bug");
        MessageEvent next = message("c-bug", "the next one");
        send(buggy);
        send(next);

        JsonNode failed = awaitStatus(buggy.id(), "FAILED");
        assertThat(failed.get("reason").asText()).contains("unexpected error: java.lang.IllegalArgumentException");
        assertThat(failed.get("attempts").asInt()).isEqualTo(1);
        awaitStatus(next.id(), "ALLOWED");
        ConsumerRecord<byte[], byte[]> letter = awaitLetter(buggy.id().toString());
        assertThat(header(letter, DeadLetters.ERROR_CLASS)).isEqualTo("IllegalArgumentException");
        assertThat(dlp.calls.stream().filter(buggy.id()::equals)).hasSize(1);
    }

    /**
     * An event over Kafka's default 1 MiB is malformed (over 256 KiB) and its dead letter keeps its start only: sent
     * whole, the letter was refused on every try, and the event never got a row.
     */
    @Test
    void aTwoMegabyteEventIsDeadLetteredAndFails() throws Exception {
        UUID id = UUID.randomUUID();
        byte[] value = ("{\"v\":1,\"type\":\"message\",\"id\":\"" + id + "\",\"text\":\"" + "x".repeat(2 << 20) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        RecordMetadata at = produce("c-big", value);
        MessageEvent next = message("c-big", "the next one");
        send(next);

        JsonNode failed = awaitStatus(id, "FAILED");
        assertThat(failed.get("reason").asText()).contains("event value of " + value.length + " bytes exceeds");
        awaitStatus(next.id(), "ALLOWED");
        ConsumerRecord<byte[], byte[]> letter = awaitLetter(id.toString());
        assertThat(letter.value()).hasSizeLessThan(value.length);
        assertThat(header(letter, DeadLetters.TRUNCATED)).isEqualTo("true");
        assertThat(header(letter, DeadLetters.ORIGINAL_SIZE)).isEqualTo(Integer.toString(value.length));
        assertThat(header(letter, DeadLetters.ORIGINAL_OFFSET)).isEqualTo(Long.toString(at.offset()));
        assertThat(header(letter, DeadLetters.ORIGINAL_PARTITION)).isEqualTo(Integer.toString(at.partition()));
    }

    /**
     * A record that cannot be read is not the event whose id it carries. Before the event: the event is taken for a
     * re-delivery of a decided id and not sent, rather than sent and its verdict dropped. After it: the record is still
     * dead-lettered and gets a row of its own, and the event keeps its decision.
     */
    @Test
    void aMalformedRecordAndAnEventSharingAnIdAreEachAccountedFor() throws Exception {
        MessageEvent card = message("c-reuse", "a secret card number");
        produce("c-reuse", malformedWithId(card.id(), "before"));
        send(card);
        MessageEvent after = message("c-reuse", "after them");
        send(after);

        awaitStatus(after.id(), "ALLOWED");
        JsonNode row = awaitStatus(card.id(), "FAILED");
        assertThat(row.get("reason").asText()).contains("missing field 'sender'");
        assertThat(dlp.calls).doesNotContain(card.id());
        awaitLetter("reused id before");

        MessageEvent decided = message("c-reuse-2", "a secret plan");
        send(decided);
        awaitStatus(decided.id(), "BLOCKED");
        RecordMetadata at = produce("c-reuse-2", malformedWithId(decided.id(), "after"));

        ConsumerRecord<byte[], byte[]> letter = awaitLetter("reused id after");
        assertThat(header(letter, DeadLetters.ERROR_MESSAGE)).contains("missing field 'sender'");
        UUID place = UUID.nameUUIDFromBytes(
                ("dlp.requests/" + at.partition() + "/" + at.offset()).getBytes(StandardCharsets.UTF_8));
        JsonNode own = awaitStatus(place, "FAILED");
        assertThat(own.get("type").asText()).isEqualTo("malformed");
        assertThat(awaitStatus(decided.id(), "BLOCKED").get("reason").asText()).contains("X-Block-Reason: secret");
    }

    private static byte[] malformedWithId(UUID id, String marker) {
        return ("{\"v\":1,\"type\":\"message\",\"id\":\"" + id + "\",\"mid\":1,\"chat\":\"c\",\"chatType\":\"group\","
                        + "\"text\":\"reused id " + marker + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The dead letter whose value holds {@code text}, once it is there. */
    private static ConsumerRecord<byte[], byte[]> awaitLetter(String text) throws Exception {
        return Eventually.within(Duration.ofSeconds(60), () -> {
            var mine =
                    KafkaTopics.read(kafka.bootstrapServers(), "dlp.requests.dlq", 1_000, Duration.ofSeconds(3))
                            .stream()
                            .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains(text))
                            .toList();
            assertThat(mine).hasSize(1);
            return mine.getFirst();
        });
    }

    /** Produces a record of any size the topic takes; returns where it went. */
    private static RecordMetadata produce(String key, byte[] value) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(BIG_RECORDS));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            return producer.send(new ProducerRecord<>("dlp.requests", key.getBytes(StandardCharsets.UTF_8), value))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** The statuses published for an event, in order. */
    private static List<String> statuses(List<ConsumerRecord<byte[], byte[]>> published, UUID id) throws Exception {
        List<String> statuses = new java.util.ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : published) {
            if (new String(r.key(), StandardCharsets.UTF_8).equals(id.toString())) {
                statuses.add(JSON.readTree(r.value()).get("status").asText());
            }
        }
        return statuses;
    }

    @Test
    void theApiNeedsALogin() throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(uri("/api/v1/requests")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        HttpResponse<String> live =
                HTTP.send(HttpRequest.newBuilder(uri("/health/live")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(live.body()).at("/checks/intake").asText()).isEqualTo("ok");
        HttpResponse<String> ready =
                HTTP.send(HttpRequest.newBuilder(uri("/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        JsonNode checks = JSON.readTree(ready.body()).get("checks");
        assertThat(checks.get("settings").asText()).isEqualTo("ok");
        assertThat(checks.get("store").asText()).isEqualTo("ok");
        assertThat(checks.get("intake").asText()).isEqualTo("ok");
        assertThat(checks.get("dlp").asText()).startsWith("icap icap://127.0.0.1:1/request, breaker ");
    }

    private static MessageEvent message(String chat, String text) {
        return new MessageEvent(
                UUID.randomUUID(),
                System.nanoTime(),
                "alice@it.local",
                chat,
                "group",
                text,
                null,
                "{}",
                "10.0.0.5",
                Instant.now(),
                false);
    }

    private static void send(DlpEvent event) throws Exception {
        KafkaTopics.produce(
                kafka.bootstrapServers(),
                "dlp.requests",
                event.key().getBytes(StandardCharsets.UTF_8),
                EventCodec.encode(event));
    }

    private static JsonNode awaitStatus(UUID id, String status) throws Exception {
        return api.awaitStatus(id, status, Duration.ofSeconds(60));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.httpPort() + path);
    }
}

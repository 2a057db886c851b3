package dev.plumber.core;

import static dev.plumber.core.CoreHarness.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plumber.core.CoreHarness.Api;
import dev.plumber.core.CoreHarness.Setup;
import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.event.EventCodec;
import dev.plumber.event.MessageEvent;
import dev.plumber.testkit.PostgresAndKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Users talking: live delivery in personal and group chats, refused input, and throttled log-ins. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CoreMessagingIT {
    @RegisterExtension
    static final PostgresAndKafka<EmbeddedKafka> services = PostgresAndKafka.withEmbeddedKafka();

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private Setup fresh() throws Exception {
        return Setup.fresh(services.postgres(), services.bootstrapServers(), "core_messaging");
    }

    @Test
    void afterAKeyRotationOldMessagesStillOpenAndNewOnesAreSealedWithTheNewKey() throws Exception {
        Setup setup = fresh();
        Path oldKey = dir.resolve("core-message.key");
        long chat;
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            chat = alice.createChat("personal", List.of("bob@demo.local"), null);
            alice.sent(chat, "sealed before the rotation");
        }
        CoreConfig rotated = setup.config(dir)
                .keyFile(dir.resolve("core-message-2.key"))
                .previousKeyFiles(List.of(oldKey))
                .build();
        try (CoreServer core = CoreServer.start(rotated)) {
            Api bob = Api.login(http, core.port(), "bob@demo.local");
            bob.sent(chat, "sealed after the rotation");
            assertThat(bob.history(chat))
                    .extracting(m -> m.get("text").asText())
                    .containsExactlyInAnyOrder("sealed before the rotation", "sealed after the rotation");
        }
        // The old key alone opens the old message but not the new one: the new key sealed it.
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            assertThat(alice.get("/api/v1/chats/" + chat + "/messages").statusCode())
                    .isEqualTo(500);
        }
    }

    @Test
    void twoUsersChatOneToOneAndInAGroupAndEveryMemberReceivesEachMessageLive() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            Api bob = Api.login(http, core.port(), "bob@demo.local");
            Api carol = Api.login(http, core.port(), "carol@demo.local");
            BlockingQueue<String> alicesFrames = new LinkedBlockingQueue<>();
            BlockingQueue<String> bobsFrames = new LinkedBlockingQueue<>();
            BlockingQueue<String> carolsFrames = new LinkedBlockingQueue<>();
            List<WebSocket> sockets =
                    List.of(alice.socket(alicesFrames), bob.socket(bobsFrames), carol.socket(carolsFrames));
            long personal = alice.createChat("personal", List.of("bob@demo.local"), null);
            long group = bob.createChat("group", List.of("alice@demo.local", "carol@demo.local"), "launch");

            long hello = alice.sent(personal, "hello bob");
            JsonNode bobGotHello = frame(bobsFrames);
            long reply = bob.sent(personal, "hi alice");
            long announcement = carol.sent(group, "launch at 10");
            long ack = bob.sent(group, "ok");

            assertThat(bobGotHello.get("type").asText()).isEqualTo("message");
            assertThat(bobGotHello.get("chat").asLong()).isEqualTo(personal);
            assertThat(bobGotHello.get("mid").asLong()).isEqualTo(hello);
            assertThat(bobGotHello.get("sender").asText()).isEqualTo("alice@demo.local");
            assertThat(bobGotHello.get("text").asText()).isEqualTo("hello bob");
            assertThat(frames(alicesFrames, 4))
                    .extracting(f -> f.get("chat").asLong() + "/" + f.get("mid").asLong() + " "
                            + f.get("sender").asText() + ": " + f.get("text").asText())
                    .containsExactly(
                            personal + "/" + hello + " alice@demo.local: hello bob",
                            personal + "/" + reply + " bob@demo.local: hi alice",
                            group + "/" + announcement + " carol@demo.local: launch at 10",
                            group + "/" + ack + " bob@demo.local: ok");
            assertThat(frames(bobsFrames, 3))
                    .extracting(f -> f.get("mid").asLong())
                    .containsExactly(reply, announcement, ack);
            // Carol is not in the personal chat: she gets the group's messages only.
            assertThat(frames(carolsFrames, 2))
                    .extracting(f -> f.get("mid").asLong())
                    .containsExactly(announcement, ack);
            assertThat(carolsFrames.poll(500, TimeUnit.MILLISECONDS)).isNull();
            assertThat(carol.history(group))
                    .extracting(m -> m.get("text").asText())
                    .containsExactly("ok", "launch at 10");
            assertThat(bob.history(personal))
                    .extracting(m -> m.get("text").asText())
                    .containsExactly("hi alice", "hello bob");
            sockets.forEach(WebSocket::abort);
        }
    }

    @Test
    void badInputGetsAClearClientErrorAndLeavesNoMessageOrEvent() throws Exception {
        Setup setup = fresh();
        try (CoreServer core =
                CoreServer.start(setup.config(dir).maxMessageLength(100).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            Api carol = Api.login(http, core.port(), "carol@demo.local");
            long chat = alice.createChat("personal", List.of("bob@demo.local"), null);

            HttpResponse<String> unknownChat = alice.send(987_654, "hi");
            HttpResponse<String> notAMember = carol.send(chat, "let me in");
            HttpResponse<String> empty = alice.send(chat, "");
            HttpResponse<String> blank = alice.send(chat, " \n\t ");
            HttpResponse<String> noText = alice.post("/api/v1/chats/" + chat + "/messages", Map.of());
            HttpResponse<String> notAString = alice.post("/api/v1/chats/" + chat + "/messages", Map.of("text", 42));
            // PostgreSQL's text cannot hold U+0000: refused up front, not a server error at the insert.
            HttpResponse<String> nul =
                    alice.post("/api/v1/chats", Map.of("type", "group", "members", List.of(), "title", "a\0b"));
            HttpResponse<String> oversized = alice.send(chat, "x".repeat(101));
            HttpResponse<String> badToken = new Api(http, core.port(), "forged-token").send(chat, "hi");
            HttpResponse<String> noToken = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + core.port() + "/api/v1/chats/" + chat + "/messages"))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            long atTheLimit = alice.sent(chat, "y".repeat(100));

            assertError(unknownChat, 404, "987654");
            assertError(notAMember, 403, "");
            assertError(empty, 400, "empty");
            assertError(blank, 400, "empty");
            assertError(noText, 400, "text is required");
            assertError(notAString, 400, "text must be a string");
            assertError(nul, 400, "title must not contain U+0000");
            assertError(oversized, 413, "at most 100");
            assertError(badToken, 401, "token");
            assertError(noToken, 401, "token");
            assertThat(alice.history(chat))
                    .extracting(m -> m.get("mid").asLong())
                    .containsExactly(atTheLimit);
            List<ConsumerRecord<String, byte[]>> events = setup.consume(1);
            assertThat(events).hasSize(1);
            assertThat(((MessageEvent) EventCodec.decode(events.getFirst().value())).mid())
                    .isEqualTo(atTheLimit);
            assertThat(setup.count("core.dlp_checks")).isEqualTo(1);
        }
    }

    @Test
    void repeatedFailedLogInsFromOneAddressAreRefusedWith429AndRetryAfter() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(
                setup.config(dir).loginThrottle(3, Duration.ofMinutes(1)).build())) {
            List<Integer> guesses = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                guesses.add(Api.tryLogin(http, core.port(), "alice@demo.local", "guess" + i, "203.0.113.5")
                        .statusCode());
            }

            HttpResponse<String> locked = Api.tryLogin(http, core.port(), "Alice@demo.local", "demo", "203.0.113.5");
            HttpResponse<String> otherAddress =
                    Api.tryLogin(http, core.port(), "alice@demo.local", "demo", "198.51.100.7");
            HttpResponse<String> otherAccount =
                    Api.tryLogin(http, core.port(), "bob@demo.local", "demo", "203.0.113.5");

            assertThat(guesses).containsExactly(401, 401, 401);
            assertError(locked, 429, "too many failed log-ins");
            long retryAfter =
                    Long.parseLong(locked.headers().firstValue("Retry-After").orElseThrow());
            assertThat(retryAfter).isBetween(1L, 60L);
            assertThat(otherAddress.statusCode()).isEqualTo(200);
            assertThat(otherAccount.statusCode()).isEqualTo(200);
            List<JsonNode> journal = CoreHarness.values(setup.consume(setup.systemTopic(), 7, Duration.ofSeconds(30)));
            assertThat(journal)
                    .filteredOn(e -> e.get("action").asText().equals("login.failed"))
                    .extracting(e -> e.get("details").get("reason").asText())
                    .containsExactly("wrong password", "wrong password", "wrong password", "too many attempts");
        }
    }

    private static void assertError(HttpResponse<String> response, int status, String mentions) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains(mentions);
    }

    private static JsonNode frame(BlockingQueue<String> frames) throws Exception {
        String frame = frames.poll(10, TimeUnit.SECONDS);
        assertThat(frame).as("a live frame within 10 s").isNotNull();
        return JSON.readTree(frame);
    }

    private static List<JsonNode> frames(BlockingQueue<String> frames, int count) throws Exception {
        List<JsonNode> received = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            received.add(frame(frames));
        }
        return received;
    }
}

package dev.plumber.core;

import static dev.plumber.core.CoreHarness.JSON;
import static dev.plumber.core.CoreHarness.SERVICE_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plumber.core.CoreHarness.Api;
import dev.plumber.core.CoreHarness.Setup;
import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.event.EventCodec;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.PostgresAndKafka;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CoreApiIT {
    @RegisterExtension
    static final PostgresAndKafka<EmbeddedKafka> services = PostgresAndKafka.withEmbeddedKafka();

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private Setup fresh() throws Exception {
        return Setup.fresh(services.postgres(), services.bootstrapServers(), "core_api");
    }

    @Test
    void aSentMessageBecomesExactlyOneMessageEventKeyedByItsChat() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            long chat = alice.createChat("personal", List.of("bob@demo.local"), null);

            HttpResponse<String> sent = alice.post(
                    "/api/v1/chats/" + chat + "/messages", Map.of("text", "card 4111 1111 1111 1111"), "10.0.0.7");

            assertThat(sent.statusCode()).isEqualTo(200);
            long mid = JSON.readTree(sent.body()).get("mid").asLong();
            List<ConsumerRecord<String, byte[]>> records = setup.consume(1);
            assertThat(records).hasSize(1);
            ConsumerRecord<String, byte[]> record = records.getFirst();
            assertThat(record.key()).isEqualTo(Long.toString(chat));
            JsonNode value = JSON.readTree(record.value());
            assertThat(value.get("type").asText()).isEqualTo("message");
            assertThat(value.get("mid").asLong()).isEqualTo(mid);
            assertThat(value.get("sender").asText()).isEqualTo("alice@demo.local");
            assertThat(value.get("chat").asText()).isEqualTo(Long.toString(chat));
            assertThat(value.get("chatType").asText()).isEqualTo("personal");
            assertThat(value.get("text").asText()).isEqualTo("card 4111 1111 1111 1111");
            assertThat(value.get("ip").asText()).isEqualTo("10.0.0.7");
            JsonNode parts = JSON.readTree(value.get("parts").asText());
            assertThat(parts.get("client").asText()).isEqualTo("api");
            assertThat(parts.get("userAgent").asText()).startsWith("Java-http-client");
            assertThat(value.get("edit").asBoolean()).isFalse();
            assertThat(value.has("hash")).isFalse();
            assertThat(EventCodec.decode(record.value())).isInstanceOf(MessageEvent.class);

            JsonNode history = JSON.readTree(
                    alice.get("/api/v1/chats/" + chat + "/messages").body());
            assertThat(history.get("items").get(0).get("text").asText()).isEqualTo("card 4111 1111 1111 1111");
            assertThat(storedTextContains(setup, "4111")).isFalse();
        }
    }

    @Test
    void membersWithAnOpenWebSocketReceiveEachMessageLive() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            Api bob = Api.login(http, core.port(), "bob@demo.local");
            long chat = alice.createChat("personal", List.of("bob@demo.local"), null);
            BlockingQueue<String> frames = new LinkedBlockingQueue<>();
            WebSocket socket = bob.socket(frames);

            alice.post("/api/v1/chats/" + chat + "/messages", Map.of("text", "are you there?"));

            JsonNode frame = JSON.readTree(frames.poll(10, TimeUnit.SECONDS));
            assertThat(frame.get("type").asText()).isEqualTo("message");
            assertThat(frame.get("chat").asLong()).isEqualTo(chat);
            assertThat(frame.get("sender").asText()).isEqualTo("alice@demo.local");
            assertThat(frame.get("text").asText()).isEqualTo("are you there?");
            socket.abort();
            assertThatThrownBy(() -> http.newWebSocketBuilder()
                            .buildAsync(
                                    URI.create("ws://127.0.0.1:" + core.port() + "/api/v1/ws?token=forged"),
                                    new WebSocket.Listener() {})
                            .get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(WebSocketHandshakeException.class);
        }
    }

    @Test
    void aSocketIsClosedWhenItsSessionEnds() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            Api bob = Api.login(http, core.port(), "bob@demo.local");
            Api bobElsewhere = Api.login(http, core.port(), "bob@demo.local");
            Api carol = Api.login(http, core.port(), "carol@demo.local");
            Api aliceElsewhere = Api.login(http, core.port(), "alice@demo.local");
            Api admin = Api.login(http, core.port(), "admin@demo.local");
            long chat = alice.createChat("group", List.of("bob@demo.local", "carol@demo.local"), "team");
            LiveSocket bobs = LiveSocket.open(http, core.port(), bob.token());
            LiveSocket bobsOther = LiveSocket.open(http, core.port(), bobElsewhere.token());
            LiveSocket carols = LiveSocket.open(http, core.port(), carol.token());
            LiveSocket alicesOther = LiveSocket.open(http, core.port(), aliceElsewhere.token());

            assertThat(bob.post("/api/v1/logout", Map.of()).statusCode()).isEqualTo(204);
            assertThat(bobs.closed().get(10, TimeUnit.SECONDS)).isEqualTo(1008);
            assertThat(admin.put("/api/v1/admin/users/carol@demo.local", Map.of("disabled", true))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(carols.closed().get(10, TimeUnit.SECONDS)).isEqualTo(1008);
            // A session that ended without this core's knowledge (expired, or signed out through another core).
            setup.execute("DELETE FROM core.sessions WHERE user_id ="
                    + " (SELECT id FROM core.users WHERE email = 'alice@demo.local')");
            Thread.sleep(1_500); // the session cache's freshness
            assertThat(alice.post("/api/v1/chats/" + chat + "/messages", Map.of("text", "still there?"))
                            .statusCode())
                    .isEqualTo(401);
            bobElsewhere.post("/api/v1/chats/" + chat + "/messages", Map.of("text", "after"));

            assertThat(alicesOther.closed().get(10, TimeUnit.SECONDS)).isEqualTo(1008);
            assertThat(JSON.readTree(bobsOther.frames().poll(10, TimeUnit.SECONDS))
                            .get("text")
                            .asText())
                    .isEqualTo("after");
            assertThat(bobs.frames()).isEmpty();
            assertThat(carols.frames()).isEmpty();
            assertThat(alicesOther.frames()).isEmpty();
        }
    }

    /** An open WebSocket: its text frames, and the close code once the server closed it. */
    private record LiveSocket(BlockingQueue<String> frames, CompletableFuture<Integer> closed) {
        static LiveSocket open(HttpClient http, int port, String token) throws Exception {
            LiveSocket socket = new LiveSocket(new LinkedBlockingQueue<>(), new CompletableFuture<>());
            http.newWebSocketBuilder()
                    .buildAsync(
                            URI.create("ws://127.0.0.1:" + port + "/api/v1/ws?token=" + token),
                            new WebSocket.Listener() {
                                @Override
                                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                                    socket.frames().add(data.toString());
                                    ws.request(1);
                                    return null;
                                }

                                @Override
                                public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                                    socket.closed().complete(status);
                                    return null;
                                }
                            })
                    .get(10, TimeUnit.SECONDS);
            return socket;
        }
    }

    @Test
    void historyIsNewestFirstAndPagesWithBefore() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            long chat = alice.createChat("group", List.of("bob@demo.local", "carol@demo.local"), "team");
            List<Long> mids = new ArrayList<>();
            for (String text : List.of("one", "two", "three")) {
                mids.add(JSON.readTree(alice.post("/api/v1/chats/" + chat + "/messages", Map.of("text", text))
                                .body())
                        .get("mid")
                        .asLong());
            }

            JsonNode page =
                    JSON.readTree(alice.get("/api/v1/chats/" + chat + "/messages?before=" + mids.get(2) + "&limit=1")
                            .body());

            assertThat(mids).isSorted().doesNotHaveDuplicates();
            assertThat(page.get("items")).hasSize(1);
            assertThat(page.get("items").get(0).get("text").asText()).isEqualTo("two");
            Api carol = Api.login(http, core.port(), "carol@demo.local");
            assertThat(carol.get("/api/v1/chats").body()).contains("team");
        }
    }

    @Test
    void anEditIsCheckedAgainAsAnEditEvent() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            long chat = alice.createChat("personal", List.of("bob@demo.local"), null);
            long mid = JSON.readTree(alice.post("/api/v1/chats/" + chat + "/messages", Map.of("text", "draft"))
                            .body())
                    .get("mid")
                    .asLong();

            HttpResponse<String> edited =
                    alice.put("/api/v1/chats/" + chat + "/messages/" + mid, Map.of("text", "final"));
            Api bob = Api.login(http, core.port(), "bob@demo.local");
            HttpResponse<String> notHis = bob.put("/api/v1/chats/" + chat + "/messages/" + mid, Map.of("text", "x"));

            assertThat(edited.statusCode()).isEqualTo(200);
            assertThat(notHis.statusCode()).isEqualTo(403);
            List<ConsumerRecord<String, byte[]>> records = setup.consume(2);
            assertThat(records).hasSize(2);
            MessageEvent edit = (MessageEvent) EventCodec.decode(records.get(1).value());
            assertThat(edit.mid()).isEqualTo(mid);
            assertThat(edit.text()).isEqualTo("final");
            assertThat(edit.edit()).isTrue();
        }
    }

    @Test
    void aMessageWhoseEventTheGatewayWouldRefuseIsRefusedWith413() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            long chat = alice.createChat("personal", List.of("bob@demo.local"), null);
            String path = "/api/v1/chats/" + chat + "/messages";
            // Within the 65,536 characters, but 4 bytes each in the event: over the gateway's 256 KiB.
            String tooLarge = "confidential 4111 1111 1111 1111 " + "\uD83D\uDE00".repeat(65_500);
            // 240,000 bytes as UTF-8; escaped as surrogates (12 bytes an emoji) it would not fit either.
            String fits = "\uD83D\uDE00".repeat(60_000);

            HttpResponse<String> refused = alice.post(path, Map.of("text", tooLarge));
            long mid = JSON.readTree(alice.post(path, Map.of("text", fits)).body())
                    .get("mid")
                    .asLong();
            HttpResponse<String> refusedEdit = alice.put(path + "/" + mid, Map.of("text", tooLarge));

            assertThat(refused.statusCode()).isEqualTo(413);
            assertThat(JSON.readTree(refused.body()).get("error").asText())
                    .startsWith("text is too large to be checked by the DLP: its event would be ")
                    .endsWith(" bytes, at most 262144 are accepted");
            assertThat(refusedEdit.statusCode()).isEqualTo(413);
            List<ConsumerRecord<String, byte[]>> records = setup.consume(1);
            assertThat(records).hasSize(1);
            assertThat(records.getFirst().value().length).isLessThanOrEqualTo(EventCodec.MAX_VALUE_BYTES);
            MessageEvent event =
                    (MessageEvent) EventCodec.decode(records.getFirst().value());
            assertThat(event.text()).isEqualTo(fits);
            assertThat(JSON.readTree(alice.get(path).body()).get("items")).hasSize(1);
        }
    }

    @Test
    void anUploadBecomesAFileEventAndTheGatewayDownloadsTheSameBytes() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            byte[] bytes = "quarterly report: confidential\n".repeat(5000).getBytes(StandardCharsets.UTF_8);
            String expectedHash = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));

            HttpResponse<String> uploaded = alice.upload("report.txt", "text/plain", bytes);

            assertThat(uploaded.statusCode()).isEqualTo(200);
            JsonNode file = JSON.readTree(uploaded.body());
            assertThat(file.get("hash").asText()).isEqualTo(expectedHash);
            assertThat(file.get("name").asText()).isEqualTo("report.txt");
            assertThat(file.get("size").asLong()).isEqualTo(bytes.length);
            List<ConsumerRecord<String, byte[]>> records = setup.consume(1);
            assertThat(records).hasSize(1);
            assertThat(records.getFirst().key()).isEqualTo(expectedHash);
            FileEvent event = (FileEvent) EventCodec.decode(records.getFirst().value());
            assertThat(event.name()).isEqualTo("report.txt");
            assertThat(event.size()).isEqualTo(bytes.length);
            assertThat(event.mime()).isEqualTo("text/plain");
            assertThat(event.sender()).isEqualTo("alice@demo.local");

            try (var leftovers = Files.list(dir.resolve("files/.incoming"))) {
                assertThat(leftovers).isEmpty();
            }
            HttpResponse<byte[]> download = download(core.port(), expectedHash, SERVICE_TOKEN);
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.body()).isEqualTo(bytes);
            assertThat(download(core.port(), "0".repeat(64), SERVICE_TOKEN).statusCode())
                    .isEqualTo(404);
        }
    }

    @Test
    void eachUploaderOfTheSameContentSeesTheirOwnNameAndNoOneElses() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            Api bob = Api.login(http, core.port(), "bob@demo.local");
            Api carol = Api.login(http, core.port(), "carol@demo.local");
            byte[] bytes = "same bytes".getBytes(StandardCharsets.UTF_8);
            String hash = JSON.readTree(
                            alice.upload("wd", "application/x-wd", bytes).body())
                    .get("hash")
                    .asText();
            long chat = alice.createChat("personal", List.of("bob@demo.local"), null);
            alice.post("/api/v1/chats/" + chat + "/messages", Map.of("text", "", "hash", hash));

            HttpResponse<String> carols = carol.upload("carol.txt", "text/plain", bytes);

            assertThat(JSON.readTree(carols.body()).get("name").asText()).isEqualTo("carol.txt");
            HttpResponse<byte[]> carolGets = download(core.port(), hash, carol.token());
            assertThat(carolGets.headers().firstValue("Content-Disposition").orElseThrow())
                    .contains("carol.txt")
                    .doesNotContain("wd");
            assertThat(carolGets.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("text/plain");
            assertThat(carolGets.body()).isEqualTo(bytes);
            assertThat(download(core.port(), hash, alice.token())
                            .headers()
                            .firstValue("Content-Disposition")
                            .orElseThrow())
                    .contains("\"wd\"");
            // Bob got it from Alice in their chat: Alice's name.
            assertThat(download(core.port(), hash, bob.token())
                            .headers()
                            .firstValue("Content-Disposition")
                            .orElseThrow())
                    .contains("\"wd\"");
            List<String> names = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : setup.consume(3)) {
                if (EventCodec.decode(record.value()) instanceof FileEvent event) {
                    names.add(event.sender() + " " + event.name() + " " + event.mime());
                }
            }
            assertThat(names)
                    .containsExactly("alice@demo.local wd application/x-wd", "carol@demo.local carol.txt text/plain");
        }
    }

    @Test
    void onlyUploadersAndMembersOfChatsWhereAFileWasPostedMayDownloadIt() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            Api bob = Api.login(http, core.port(), "bob@demo.local");
            Api carol = Api.login(http, core.port(), "carol@demo.local");
            byte[] bytes = "plan".getBytes(StandardCharsets.UTF_8);
            String hash = JSON.readTree(
                            alice.upload("plan.txt", "text/plain", bytes).body())
                    .get("hash")
                    .asText();

            assertThat(download(core.port(), hash, alice.token()).statusCode()).isEqualTo(200);
            assertThat(download(core.port(), hash, bob.token()).statusCode()).isEqualTo(404);
            assertThat(download(core.port(), hash, "not-a-token").statusCode()).isEqualTo(401);
            HttpResponse<String> carolPosts = carol.post(
                    "/api/v1/chats/" + carol.createChat("personal", List.of("bob@demo.local"), null) + "/messages",
                    Map.of("text", "look", "hash", hash));
            assertThat(carolPosts.statusCode()).isEqualTo(400);

            long chat = alice.createChat("personal", List.of("bob@demo.local"), null);
            alice.post("/api/v1/chats/" + chat + "/messages", Map.of("text", "see attached", "hash", hash));

            assertThat(download(core.port(), hash, bob.token()).body()).isEqualTo(bytes);
            assertThat(download(core.port(), hash, carol.token()).statusCode()).isEqualTo(404);
            assertThat(carol.get("/api/v1/chats/" + chat + "/messages").statusCode())
                    .isEqualTo(403);
        }
    }

    @Test
    void anUploadOverTheLimitIsRefusedWith413() throws Exception {
        Setup setup = fresh();
        try (CoreServer core =
                CoreServer.start(setup.config(dir).maxFileSize(1024).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");

            HttpResponse<String> response = alice.upload("big.bin", "application/octet-stream", new byte[4096]);

            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(JSON.readTree(response.body()).get("error").asText()).isNotBlank();
        }
    }

    @Test
    void aPartHeaderWithAControlCharacterIsRefusedWith400() throws Exception {
        Setup setup = fresh();
        try (CoreServer core =
                CoreServer.start(setup.config(dir).maxFileSize(1024).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");

            HttpResponse<String> badName = alice.upload("a\u0001b.txt", "text/plain", new byte[10]);
            HttpResponse<String> badType = alice.upload("a.txt", "text/plain\u0000", new byte[10]);

            for (HttpResponse<String> response : List.of(badName, badType)) {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
                assertThat(JSON.readTree(response.body()).get("error").asText())
                        .isEqualTo(
                                "the multipart body is malformed: a part header holds a control or other illegal character");
            }
            assertThat(alice.upload("fine.txt", "text/plain", new byte[10]).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void wrongPasswordsAndDisabledAccountsAreRefused() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api bob = Api.login(http, core.port(), "bob@demo.local");
            assertThat(Api.tryLogin(http, core.port(), "alice@demo.local", "wrong")
                            .statusCode())
                    .isEqualTo(401);
            assertThat(Api.tryLogin(http, core.port(), "nobody@demo.local", "demo")
                            .statusCode())
                    .isEqualTo(401);

            setup.execute("UPDATE core.users SET disabled = true WHERE email = 'bob@demo.local'");

            assertThat(Api.tryLogin(http, core.port(), "bob@demo.local", "demo").statusCode())
                    .isEqualTo(401);
            assertThat(bob.get("/api/v1/chats").statusCode()).isEqualTo(401);
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            assertThat(alice.post("/api/v1/logout", Map.of()).statusCode()).isEqualTo(204);
            assertThat(alice.get("/api/v1/chats").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void anOverlongEmailOrPasswordIsRefusedBeforeItIsJournaled() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            HttpResponse<String> longEmail = Api.tryLogin(http, core.port(), "a".repeat(600_000) + "@x", "x");
            assertThat(longEmail.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(longEmail.body()).get("error").asText())
                    .isEqualTo("email is 600002 characters long; an e-mail address has at most 254");
            HttpResponse<String> longPassword =
                    Api.tryLogin(http, core.port(), "alice@demo.local", "p".repeat(100_000));
            assertThat(longPassword.statusCode()).isEqualTo(400);
            assertThat(longPassword.body()).contains("password is 100000 characters long");

            Api alice = Api.login(http, core.port(), "alice@demo.local");
            HttpResponse<String> chat =
                    alice.post("/api/v1/chats", Map.of("type", "group", "members", List.of("b".repeat(300) + "@x")));
            assertThat(chat.statusCode()).isEqualTo(400);
            try (Connection c = setup.connect();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT max(length(event_key)) FROM core.outbox")) {
                rs.next();
                assertThat(rs.getInt(1)).isLessThan(300);
            }
        }
    }

    @Test
    void administratorsManageAccountsAndEveryChangeIsJournaled() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api admin = Api.login(http, core.port(), "admin@demo.local");
            Api alice = Api.login(http, core.port(), "alice@demo.local");

            HttpResponse<String> created = admin.post(
                    "/api/v1/admin/users",
                    Map.of("email", "Dave@Demo.local", "password", "s3cret", "role", "auditor"),
                    "10.0.0.9");
            HttpResponse<String> again =
                    admin.post("/api/v1/admin/users", Map.of("email", "dave@demo.local", "password", "s3cret"));
            HttpResponse<String> byUser =
                    alice.post("/api/v1/admin/users", Map.of("email", "eve@demo.local", "password", "s3cret"));
            Api dave = Api.login(http, core.port(), "dave@demo.local", "s3cret");
            HttpResponse<String> disabled = admin.put("/api/v1/admin/users/dave@demo.local", Map.of("disabled", true));
            HttpResponse<String> selfDemotion =
                    admin.put("/api/v1/admin/users/admin@demo.local", Map.of("role", "user"));

            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(byUser.statusCode()).isEqualTo(403);
            assertThat(disabled.statusCode()).isEqualTo(200);
            assertThat(selfDemotion.statusCode()).isEqualTo(400);
            assertThat(dave.get("/api/v1/chats").statusCode()).isEqualTo(401);
            assertThat(Api.tryLogin(http, core.port(), "dave@demo.local", "s3cret")
                            .statusCode())
                    .isEqualTo(401);
            JsonNode list = JSON.readTree(admin.get("/api/v1/admin/users").body());
            assertThat(list.get("items").toString()).contains("\"email\":\"dave@demo.local\"", "\"role\":\"auditor\"");
            assertThat(JSON.readTree(alice.get("/api/v1/users").body())
                            .get("items")
                            .toString())
                    .contains("bob@demo.local")
                    .doesNotContain("dave@demo.local");

            List<JsonNode> adminJournal =
                    CoreHarness.values(setup.consume(setup.adminTopic(), 2, Duration.ofSeconds(30)));
            assertThat(adminJournal)
                    .extracting(e -> e.get("action").asText())
                    .containsExactly("user.created", "user.updated");
            assertThat(adminJournal.getFirst().get("actor").asText()).isEqualTo("admin@demo.local");
            assertThat(adminJournal.getFirst().get("target").asText()).isEqualTo("dave@demo.local");
            assertThat(adminJournal.getFirst().get("ip").asText()).isEqualTo("10.0.0.9");
            assertThat(adminJournal.get(1).get("details").get("disabled").asBoolean())
                    .isTrue();
            List<JsonNode> systemJournal =
                    CoreHarness.values(setup.consume(setup.systemTopic(), 8, Duration.ofSeconds(30)));
            assertThat(systemJournal)
                    .extracting(
                            e -> e.get("action").asText() + " " + e.get("actor").asText(""))
                    .contains("core.started ", "login admin@demo.local", "login.failed dave@demo.local");
        }
    }

    @Test
    void aChangeToASignedInAccountAppliesToItsVeryNextRequest() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api admin = Api.login(http, core.port(), "admin@demo.local");
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            Api aliceElsewhere = Api.login(http, core.port(), "alice@demo.local");
            Api bob = Api.login(http, core.port(), "bob@demo.local");
            Api carol = Api.login(http, core.port(), "carol@demo.local");
            long chat = bob.createChat("personal", List.of("alice@demo.local"), null);
            assertThat(admin.put("/api/v1/admin/users/carol@demo.local", Map.of("role", "admin"))
                            .statusCode())
                    .isEqualTo(200);
            // Each token has just been accepted, so each account is fresh in the core's memory.
            assertThat(alice.get("/api/v1/chats").statusCode()).isEqualTo(200);
            assertThat(aliceElsewhere.get("/api/v1/chats").statusCode()).isEqualTo(200);
            assertThat(bob.post("/api/v1/chats/" + chat + "/messages", Map.of("text", "hi"))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(carol.get("/api/v1/admin/users").statusCode()).isEqualTo(200);

            assertThat(alice.post("/api/v1/logout", Map.of()).statusCode()).isEqualTo(204);
            assertThat(admin.put("/api/v1/admin/users/bob@demo.local", Map.of("disabled", true))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(admin.put("/api/v1/admin/users/carol@demo.local", Map.of("role", "user"))
                            .statusCode())
                    .isEqualTo(200);

            assertThat(alice.get("/api/v1/chats").statusCode()).isEqualTo(401);
            assertThat(aliceElsewhere.get("/api/v1/chats").statusCode()).isEqualTo(200);
            assertThat(bob.post("/api/v1/chats/" + chat + "/messages", Map.of("text", "still here?"))
                            .statusCode())
                    .isEqualTo(401);
            assertThat(carol.get("/api/v1/admin/users").statusCode()).isEqualTo(403);
            assertThat(carol.get("/api/v1/chats").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anAccountDisabledInTheDatabaseBesideTheCoreIsRefusedSoonAfter() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api bob = Api.login(http, core.port(), "bob@demo.local");
            assertThat(bob.get("/api/v1/chats").statusCode()).isEqualTo(200);

            // As another core replica, or an operator with psql, would: no word reaches this core.
            setup.execute("UPDATE core.users SET disabled = true WHERE email = 'bob@demo.local'");

            // The bound is the cache's freshness (1 s); the limit is generous so a loaded machine cannot fail this.
            Eventually.within(
                    Duration.ofSeconds(30),
                    () -> assertThat(bob.get("/api/v1/chats").statusCode()).isEqualTo(401));
        }
    }

    @Test
    void aBlockedVerdictHidesTheMessageAndTheFileFromEveryoneButTheirAuthor() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            Api bob = Api.login(http, core.port(), "bob@demo.local");
            long chat = alice.createChat("personal", List.of("bob@demo.local"), null);
            String hash = JSON.readTree(alice.upload(
                                    "cards.csv", "text/csv", "4111 1111 1111 1111".getBytes(StandardCharsets.UTF_8))
                            .body())
                    .get("hash")
                    .asText();
            alice.post("/api/v1/chats/" + chat + "/messages", Map.of("text", "card 4111 1111 1111 1111", "hash", hash));
            List<ConsumerRecord<String, byte[]>> events = setup.consume(2);
            FileEvent fileEvent = (FileEvent) EventCodec.decode(events.get(0).value());
            MessageEvent messageEvent =
                    (MessageEvent) EventCodec.decode(events.get(1).value());
            assertThat(messageEvent.hash()).isEqualTo(hash);
            assertThat(fileEvent.hash()).isEqualTo(hash);
            BlockingQueue<String> bobsFrames = new LinkedBlockingQueue<>();
            WebSocket bobsSocket = bob.socket(bobsFrames);

            // A U+0000 in a DLP's reason, which PostgreSQL's text cannot hold, must not stop the statuses behind it.
            publishStatus(setup, fileEvent.id().toString(), "BLOCKED", "file", null, "card\u0000numbers");
            publishStatus(
                    setup, messageEvent.id().toString(), "BLOCKED", "message", messageEvent.mid(), "card\u0000number");

            JsonNode frame = JSON.readTree(bobsFrames.poll(30, TimeUnit.SECONDS));
            assertThat(frame.get("type").asText()).isEqualTo("blocked");
            assertThat(frame.get("mid").asLong()).isEqualTo(messageEvent.mid());
            assertThat(frame.get("chat").asLong()).isEqualTo(chat);
            bobsSocket.abort();
            JsonNode bobsView =
                    awaitFirstMessage(bob, chat, m -> m.get("blocked").asBoolean());
            assertThat(bobsView.get("text").asText()).isEmpty();
            assertThat(bobsView.get("dlpStatus").asText()).isEqualTo("BLOCKED");
            assertThat(bobsView.has("dlpReason")).isFalse();
            JsonNode alicesView = awaitFirstMessage(alice, chat, m -> true);
            assertThat(alicesView.get("blocked").asBoolean()).isFalse();
            assertThat(alicesView.get("text").asText()).isEqualTo("card 4111 1111 1111 1111");
            assertThat(alicesView.get("dlpReason").asText()).isEqualTo("card\uFFFDnumber");
            assertThat(download(core.port(), hash, bob.token()).statusCode()).isEqualTo(404);
            assertThat(download(core.port(), hash, alice.token()).statusCode()).isEqualTo(200);
            assertThat(download(core.port(), hash, SERVICE_TOKEN).statusCode()).isEqualTo(200);
        }
    }

    private static void publishStatus(Setup setup, String eventId, String status, String type, Long mid, String reason)
            throws Exception {
        Map<String, Object> value = new java.util.HashMap<>(
                Map.of("v", 1, "id", eventId, "status", status, "type", type, "reason", reason));
        if (mid != null) {
            value.put("mid", mid);
        }
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(
                Map.of("bootstrap.servers", setup.bootstrapServers()),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                            setup.statusTopic(), eventId, JSON.writeValueAsBytes(value)))
                    .get();
        }
    }

    /** Polls the newest message of {@code chat} as {@code reader} until {@code ready} holds (statuses arrive async). */
    private static JsonNode awaitFirstMessage(Api reader, long chat, Predicate<JsonNode> ready) throws Exception {
        return Eventually.within(Duration.ofSeconds(30), () -> {
            JsonNode first = JSON.readTree(
                            reader.get("/api/v1/chats/" + chat + "/messages").body())
                    .get("items")
                    .get(0);
            assertThat(ready.test(first) && !first.get("dlpStatus").isNull())
                    .as("the newest message of chat %d, ready and with its DLP status: %s", chat, first)
                    .isTrue();
            return first;
        });
    }

    @Test
    void everyErrorIsAJsonObjectWithItsStatus() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            HttpResponse<String> notJson = http.send(
                    alice.request("/api/v1/chats")
                            .POST(HttpRequest.BodyPublishers.ofString("{not json"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(notJson.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(notJson.body()).get("error").asText()).contains("JSON");
            HttpResponse<String> noRoute = alice.get("/api/v1/nothing-here");
            assertThat(noRoute.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(noRoute.body()).has("error")).isTrue();
            HttpResponse<String> noChat = alice.get("/api/v1/chats/999999/messages");
            assertThat(noChat.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(noChat.body()).get("error").asText()).contains("999999");
            HttpResponse<String> personalOfThree = alice.post(
                    "/api/v1/chats",
                    Map.of("type", "personal", "members", List.of("bob@demo.local", "carol@demo.local")));
            assertThat(personalOfThree.statusCode()).isEqualTo(400);
            HttpResponse<String> noToken = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + core.port() + "/api/v1/chats"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(noToken.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(noToken.body()).has("error")).isTrue();
        }
    }

    @Test
    void aSessionEndsAfterItsTtl() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(
                setup.config(dir).sessionTtl(Duration.ofSeconds(1)).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            assertThat(alice.get("/api/v1/chats").statusCode()).isEqualTo(200);

            Thread.sleep(1_500);

            assertThat(alice.get("/api/v1/chats").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void inSyncModeAnUnreachableQueueRefusesTheMessageAndStoresNothing() throws Exception {
        Setup setup = fresh();
        CoreConfig config = setup.config(dir)
                .bootstrapServers(closedPort())
                .messages(true, true)
                .files(true, true)
                .resortTimeout(Duration.ofMillis(500))
                .build();
        try (CoreServer core = CoreServer.start(config)) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            long chat = alice.createChat("personal", List.of("bob@demo.local"), null);

            HttpResponse<String> sent = alice.post("/api/v1/chats/" + chat + "/messages", Map.of("text", "hi"));
            HttpResponse<String> uploaded = alice.upload("a.txt", "text/plain", "abc".getBytes(StandardCharsets.UTF_8));

            assertThat(sent.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(sent.body()).get("error").asText()).contains("DLP queue is unavailable");
            assertThat(JSON.readTree(alice.get("/api/v1/chats/" + chat + "/messages")
                                    .body())
                            .get("items"))
                    .isEmpty();
            assertThat(uploaded.statusCode()).isEqualTo(503);
            try (var stored = Files.list(dir.resolve("files"))) {
                assertThat(stored.filter(Files::isRegularFile)).isEmpty();
            }
            assertThat(setup.count("core.files")).isZero();
            assertThat(setup.pendingEvents()).isZero();
        }
    }

    @Test
    void inAsyncModeTheEventWaitsInTheOutboxUntilTheQueueIsReachable() throws Exception {
        Setup setup = fresh();
        long chat;
        long mid;
        try (CoreServer offline = CoreServer.start(
                setup.config(dir).bootstrapServers(closedPort()).build())) {
            Api alice = Api.login(http, offline.port(), "alice@demo.local");
            chat = alice.createChat("personal", List.of("bob@demo.local"), null);

            HttpResponse<String> sent =
                    alice.post("/api/v1/chats/" + chat + "/messages", Map.of("text", "while kafka is down"));

            assertThat(sent.statusCode()).isEqualTo(200);
            mid = JSON.readTree(sent.body()).get("mid").asLong();
            assertThat(setup.pendingEvents()).isEqualTo(1);
        }

        // Two cores on one database: the relay lock lets only one of them send the row.
        try (CoreServer online = CoreServer.start(setup.config(dir).build());
                CoreServer second = CoreServer.start(setup.config(dir).build())) {
            List<ConsumerRecord<String, byte[]>> records = setup.consume(1);

            assertThat(records).hasSize(1);
            assertThat(records.getFirst().key()).isEqualTo(Long.toString(chat));
            MessageEvent event =
                    (MessageEvent) EventCodec.decode(records.getFirst().value());
            assertThat(event.mid()).isEqualTo(mid);
            assertThat(event.text()).isEqualTo("while kafka is down");
            Eventually.within(Duration.ofSeconds(30), () -> assertThat(setup.pendingEvents())
                    .isZero());
        }
    }

    @Test
    void checkDlpOffProducesNoMessageEvents() throws Exception {
        Setup setup = fresh();
        try (CoreServer core = CoreServer.start(
                setup.config(dir).messages(false, false).files(false, false).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            long chat = alice.createChat("personal", List.of("bob@demo.local"), null);

            assertThat(alice.post("/api/v1/chats/" + chat + "/messages", Map.of("text", "hi"))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(alice.upload("a.txt", "text/plain", new byte[] {1}).statusCode())
                    .isEqualTo(200);

            assertThat(setup.pendingEvents()).isZero();
            assertThat(setup.consume(0)).isEmpty();
        }
    }

    private static String closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "127.0.0.1:" + socket.getLocalPort();
        }
    }

    private static boolean storedTextContains(Setup setup, String needle) throws Exception {
        try (Connection c = setup.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT text FROM core.messages")) {
            while (rs.next()) {
                if (new String(rs.getBytes(1), StandardCharsets.ISO_8859_1).contains(needle)) {
                    return true;
                }
            }
            return false;
        }
    }

    private HttpResponse<byte[]> download(int port, String hash, String token) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/get/" + hash))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}

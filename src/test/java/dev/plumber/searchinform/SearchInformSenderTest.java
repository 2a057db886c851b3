package dev.plumber.searchinform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.delivery.DeliveryException;
import dev.plumber.delivery.Verdict;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.icap.HttpResponseHead;
import dev.plumber.icap.IcapHeaders;
import dev.plumber.icap.IcapResponse;
import dev.plumber.mock.icap.IcapMockServer;
import dev.plumber.mock.icap.MockRules;
import dev.plumber.settings.DlpSettings;
import dev.plumber.testkit.InMemoryFileSource;
import dev.plumber.transport.IcapClient;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SearchInformSenderTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private IcapMockServer mock;
    private IcapClient client;
    private InMemoryFileSource files;
    private SearchInformSender sender;

    @BeforeEach
    void start() throws Exception {
        mock = IcapMockServer.start(0, MockRules.demo());
        client = new IcapClient();
        files = new InMemoryFileSource();
        sender = new SearchInformSender(client, files, WAIT);
    }

    @AfterEach
    void stop() {
        client.close();
        mock.close();
    }

    @Test
    void allowsAPlainMessageAndSendsTheSeedJsonInOrder() throws Exception {
        Verdict verdict = sender.send(message("hello", null), settings(Map.of()));

        assertThat(verdict).isEqualTo(Verdict.allowed("plumber-mock-1"));
        IcapMockServer.RecordedRequest seen = mock.takeRequest(WAIT);
        assertThat(seen.bodyText())
                .isEqualTo("{\"sender\":\"alice@demo.local\",\"chat\":\"chat-1\",\"hash\":null,\"text\":\"hello\","
                        + "\"parts\":\"{\\\"kind\\\":\\\"text\\\"}\",\"ip\":\"10.0.0.5\",\"mid\":42}");
        assertThat(seen.request().headers().first("X-Authenticated-User")).isEqualTo("alice@demo.local");
        assertThat(seen.request().headers().first("X-Client-IP")).isEqualTo("10.0.0.5");
        assertThat(seen.request().httpRequest().method()).isEqualTo("POST");
        assertThat(seen.request().httpRequest().target()).isEqualTo("http://vkteams/");
        assertThat(seen.request().httpRequest().headers().all("Content-Length"))
                .containsExactly(Integer.toString(seen.body().length));
        assertThat(seen.request().httpRequest().headers().first("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void blocksACardNumberWithTheReasonFromTheDlpHeaders() throws Exception {
        Verdict verdict = sender.send(message("my card 4111 1111 1111 1111 ok?", "abc"), settings(Map.of()));

        assertThat(verdict.outcome()).isEqualTo(Verdict.Outcome.BLOCKED);
        assertThat(verdict.reason()).isEqualTo("403 Forbidden; X-Response-Info: BLOCKED; X-Block-Reason: card number");
        assertThat(verdict.reference()).isEqualTo("plumber-mock-1");
        assertThat(mock.takeRequest(WAIT).bodyText()).contains("\"hash\":\"abc\"");
    }

    @Test
    void encodesTheUserInBase64WhenConfigured() throws Exception {
        sender.send(message("hi", null), settings(Map.of("userEncoding", "base64")));

        assertThat(mock.takeRequest(WAIT).request().headers().first("X-Authenticated-User"))
                .isEqualTo("YWxpY2VAZGVtby5sb2NhbA==");
    }

    @Test
    void streamsAFileAsMultipartWithAnExactContentLength() throws Exception {
        byte[] content = new byte[300_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) ('a' + i % 26);
        }
        files.put("h1", content);
        FileEvent file = new FileEvent(
                UUID.fromString("00000000-0000-0000-0000-0000000000aa"),
                "h1",
                "report \"q3\".txt",
                content.length,
                "text/plain",
                "bob@demo.local",
                "10.0.0.6",
                Instant.EPOCH);

        Verdict verdict = sender.send(file, settings(Map.of()));

        assertThat(verdict.outcome()).isEqualTo(Verdict.Outcome.ALLOWED);
        IcapMockServer.RecordedRequest seen = mock.takeRequest(WAIT);
        String boundary = "plumber-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaakk";
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(("--" + boundary + "\r\n"
                        + "Content-Disposition: form-data; name=\"file\"; filename=\"report %22q3%22.txt\"\r\n"
                        + "Content-Type: application/octet-stream\r\n"
                        + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
        expected.writeBytes(content);
        expected.writeBytes(("\r\n--" + boundary + "\r\n"
                        + "Content-Disposition: form-data; name=\"hash\"\r\n"
                        + "\r\n"
                        + "h1\r\n"
                        + "--" + boundary + "--\r\n")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(seen.body()).isEqualTo(expected.toByteArray());
        assertThat(seen.request().httpRequest().headers().all("Content-Length"))
                .containsExactly(Integer.toString(expected.size()));
        assertThat(seen.request().httpRequest().headers().first("Content-Type"))
                .isEqualTo("multipart/form-data; boundary=" + boundary);
        assertThat(seen.request().headers().first("Preview")).isEqualTo("1024");
    }

    /** An id whose hex holds a card number (4111 1111 1111 1111) must not make its file look like one. */
    @Test
    void aFileBoundaryNeverReadsAsACardNumber() throws Exception {
        files.put("plan", "quarterly plan".getBytes(StandardCharsets.UTF_8));
        FileEvent file = new FileEvent(
                UUID.fromString("41111111-1111-1111-aaaa-aaaaaaaaaaaa"),
                "plan",
                "plan.txt",
                14,
                "text/plain",
                "bob@x",
                null,
                Instant.EPOCH);

        Verdict verdict = sender.send(file, settings(Map.of()));

        assertThat(verdict.outcome()).isEqualTo(Verdict.Outcome.ALLOWED);
        assertThat(mock.takeRequest(WAIT).body())
                .asString(StandardCharsets.UTF_8)
                .doesNotContainPattern("\\d");
    }

    @Test
    void blocksAFileWhoseContentMatchesARule() throws Exception {
        files.put("h2", "Strictly CONFIDENTIAL numbers".getBytes(StandardCharsets.UTF_8));
        FileEvent file =
                new FileEvent(UUID.randomUUID(), "h2", "a.txt", 29, "text/plain", "bob@x", null, Instant.EPOCH);

        Verdict verdict = sender.send(file, settings(Map.of()));

        assertThat(verdict.reason()).endsWith("X-Block-Reason: confidential");
        assertThat(mock.takeRequest(WAIT).request().headers().contains("X-Client-IP"))
                .isFalse();
    }

    @Test
    void failsPermanentlyAtTheFileStageWhenTheFileIsGone() {
        FileEvent file = new FileEvent(UUID.randomUUID(), "nope", "a", 1, "x", "bob@x", "1.2.3.4", Instant.EPOCH);

        assertThatThrownBy(() -> sender.send(file, settings(Map.of())))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isTrue();
                    assertThat(e.stage()).isEqualTo("file");
                });
    }

    @Test
    void reusesOneConnectionForManyMessages() throws Exception {
        for (int i = 0; i < 20; i++) {
            sender.send(message("m" + i, null), settings(Map.of()));
        }

        assertThat(mock.openConnections()).isEqualTo(1);
    }

    @Test
    void failsTransientlyWhenTheDlpDoesNotAnswerInTime() throws Exception {
        CopyOnWriteArrayList<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (java.io.IOException e) {
                    // Closed by the test.
                }
            });
            SearchInformSender impatient = new SearchInformSender(client, files, Duration.ofMillis(300));
            DlpSettings silentDlp = DlpSettings.fromMap(
                    Map.of("system", "icap", "address", "icap://127.0.0.1:" + silent.getLocalPort() + "/request"));

            long start = System.nanoTime();
            assertThatThrownBy(() -> impatient.send(message("hi", null), silentDlp))
                    .isInstanceOfSatisfying(DeliveryException.class, e -> {
                        assertThat(e.permanent()).isFalse();
                        assertThat(e.stage()).isEqualTo("dlp");
                        assertThat(e.getMessage()).contains("300 ms");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void mapsIcapStatusesToVerdictsAndFailureKinds() throws Exception {
        assertThat(SearchInformSender.verdict(response(204, null)).outcome()).isEqualTo(Verdict.Outcome.ALLOWED);
        for (int status : new int[] {400, 404, 405, 418, 501, 505}) {
            assertThatThrownBy(() -> SearchInformSender.verdict(response(status, null)))
                    .isInstanceOfSatisfying(DeliveryException.class, e -> assertThat(e.permanent())
                            .isTrue());
        }
        for (int status : new int[] {408, 500, 502, 503}) {
            assertThatThrownBy(() -> SearchInformSender.verdict(response(status, null)))
                    .isInstanceOfSatisfying(DeliveryException.class, e -> assertThat(e.permanent())
                            .isFalse());
        }
        // One DLP blocks with an encapsulated 200 block page: any res-hdr is a block (notes/icap.md).
        HttpResponseHead page = new HttpResponseHead(
                "HTTP/1.0", 200, "OK", IcapHeaders.of("X-Infection-Found", "Type=0; Resolution=2; Threat=DLP;"));
        assertThat(SearchInformSender.verdict(response(200, page)))
                .isEqualTo(Verdict.blocked("200 OK; X-Infection-Found: Type=0; Resolution=2; Threat=DLP;", "t"));
    }

    private static IcapResponse response(int status, HttpResponseHead page) {
        return new IcapResponse(status, "x", IcapHeaders.of("ISTag", "t"), null, page, new byte[0], false);
    }

    private static MessageEvent message(String text, String hash) {
        return new MessageEvent(
                UUID.randomUUID(),
                42,
                "alice@demo.local",
                "chat-1",
                "personal",
                text,
                hash,
                "{\"kind\":\"text\"}",
                "10.0.0.5",
                Instant.EPOCH,
                false);
    }

    private DlpSettings settings(Map<String, String> extra) throws Exception {
        Map<String, String> raw = new java.util.HashMap<>(extra);
        raw.put("system", "icap");
        raw.put("address", "icap://127.0.0.1:" + mock.port() + "/request");
        return DlpSettings.fromMap(raw);
    }
}

package dev.plumber.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.icap.HttpRequestHead;
import dev.plumber.icap.IcapHeaders;
import dev.plumber.icap.IcapRequestDecoder;
import dev.plumber.icap.IcapResponse;
import dev.plumber.testkit.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class IcapClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final HttpRequestHead POST =
            HttpRequestHead.of("POST", "http://vkteams/", IcapHeaders.of("Host", "vkteams"));
    private static final String BLOCK =
            "ICAP/1.0 200 OK\r\nISTag: \"s1\"\r\nEncapsulated: res-hdr=0, null-body=26\r\n\r\n"
                    + "HTTP/1.1 403 Forbidden\r\n\r\n";

    @Test
    void resendsOnceOnAFreshConnectionWhenAReusedOneIsStale() throws Exception {
        // The server drops connection 0 when its second REQMOD arrives, as a server does after its keep-alive limit.
        int[] reqmods = new int[1];
        try (ScriptedIcapServer server = new ScriptedIcapServer((connection, part) -> {
                    if (part.request().method().equals("OPTIONS")) {
                        return new ScriptedIcapServer.Send(ScriptedIcapServer.OPTIONS_OK);
                    }
                    return connection == 0 && ++reqmods[0] == 2
                            ? new ScriptedIcapServer.Close()
                            : new ScriptedIcapServer.Send(ScriptedIcapServer.NO_CONTENT);
                });
                IcapClient client = new IcapClient()) {
            assertThat(reqmod(client, server, "abc").status()).isEqualTo(204);
            assertThat(reqmod(client, server, "abc").status()).isEqualTo(204);

            assertThat(server.connections()).isEqualTo(2);
        }
    }

    @Test
    void doesNotRetryAFreshConnectionThatFails() throws Exception {
        try (ScriptedIcapServer server = new ScriptedIcapServer(
                        (connection, part) -> part.request().method().equals("OPTIONS")
                                ? new ScriptedIcapServer.Send(ScriptedIcapServer.OPTIONS_OK)
                                : new ScriptedIcapServer.Close());
                IcapClient client = new IcapClient()) {
            IcapOptions unused = client.options(uri(server), TlsSettings.defaults(), TIMEOUT);
            assertThat(unused.ok()).isTrue();

            assertThatThrownBy(() -> reqmod(client, server, "abc")).isInstanceOf(IOException.class);
            // OPTIONS and the one REQMOD share connection 0 (reused, so resent once on connection 1), no third.
            assertThat(server.connections()).isEqualTo(2);
        }
    }

    @Test
    void sendsThePreviewThenTheRestAfterContinue() throws Exception {
        try (ScriptedIcapServer server = continuingServer();
                IcapClient client = new IcapClient()) {
            assertThat(reqmod(client, server, "0123456789").status()).isEqualTo(204);
            assertThat(reqmod(client, server, "0123").status()).isEqualTo(204);

            IcapRequestDecoder.Part preview = server.parts.get(1);
            assertThat(preview.kind()).isEqualTo(IcapRequestDecoder.Kind.PREVIEW_END);
            assertThat(new String(preview.body(), StandardCharsets.US_ASCII)).isEqualTo("0123");
            assertThat(new String(server.parts.get(2).body(), StandardCharsets.US_ASCII))
                    .isEqualTo("0123456789");
            // A body that fits the preview ends with "0; ieof" and gets no 100.
            assertThat(server.parts.get(3).ieof()).isTrue();
            assertThat(server.connections()).isEqualTo(1);
            assertThat(client.bodyBytesSent())
                    .as("body bytes, chunk framing not counted")
                    .isEqualTo(10 + 4);
        }
    }

    @Test
    void sendsOnlyTheZeroChunkAsPreviewWhenTheServerWantsPreviewZero() throws Exception {
        // RFC 3507 §4.5: "Preview: 0" asks for the headers only; an empty chunk would itself end the preview, and a
        // second zero chunk would then end the body before any of it was sent.
        String options = ScriptedIcapServer.OPTIONS_OK.replace("Preview: 4", "Preview: 0");
        try (ScriptedIcapServer server = new ScriptedIcapServer((connection, part) -> switch (part.kind()) {
                    case PREVIEW_END -> new ScriptedIcapServer.Send(ScriptedIcapServer.CONTINUE);
                    case COMPLETE ->
                        new ScriptedIcapServer.Send(
                                part.request().method().equals("OPTIONS") ? options : ScriptedIcapServer.NO_CONTENT);
                });
                IcapClient client = new IcapClient()) {
            assertThat(reqmod(client, server, "abc").status()).isEqualTo(204);

            assertThat(server.parts).hasSize(3);
            assertThat(server.parts.get(1).kind()).isEqualTo(IcapRequestDecoder.Kind.PREVIEW_END);
            assertThat(server.parts.get(1).body()).isEmpty();
            assertThat(new String(server.parts.get(2).body(), StandardCharsets.US_ASCII))
                    .isEqualTo("abc");
        }
    }

    @Test
    void returnsAnEarlyAnswerWhileTheBodyIsStillBeingSent() throws Exception {
        // c-icap answers before the last chunk; here the answer comes right after 100, before any more body.
        try (ScriptedIcapServer server = new ScriptedIcapServer((connection, part) -> switch (part.kind()) {
                    case PREVIEW_END -> new ScriptedIcapServer.Send(ScriptedIcapServer.CONTINUE + BLOCK);
                    case COMPLETE ->
                        part.request().method().equals("OPTIONS")
                                ? new ScriptedIcapServer.Send(ScriptedIcapServer.OPTIONS_OK)
                                : new ScriptedIcapServer.Silent();
                });
                IcapClient client = new IcapClient()) {
            byte[] big = new byte[8_000_000];

            IcapResponse answer = client.reqmod(
                    uri(server),
                    TlsSettings.defaults(),
                    IcapHeaders.empty(),
                    POST,
                    new IcapBody(big.length, new ByteArrayInputStream(big)),
                    TIMEOUT);

            assertThat(answer.httpResponse().status()).isEqualTo(403);
        }
    }

    @Test
    void sendsTheBodyInFullChunksHoweverLittleEachReadOfItsSourceHandsOver() throws Exception {
        // A download's stream hands over what its socket holds; each read had gone out as a chunk of its own.
        try (ScriptedIcapServer server = continuingServer();
                IcapClient client = new IcapClient()) {
            byte[] body = "x".repeat(200_000).getBytes(StandardCharsets.US_ASCII);
            InputStream trickle = new ByteArrayInputStream(body) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    return super.read(b, off, Math.min(len, 1000));
                }
            };

            IcapResponse answer = client.reqmod(
                    uri(server),
                    TlsSettings.defaults(),
                    IcapHeaders.empty(),
                    POST,
                    new IcapBody(body.length, trickle),
                    TIMEOUT);

            assertThat(answer.status()).isEqualTo(204);
            assertThat(server.parts.getLast().body()).isEqualTo(body);
            // The chunk-size lines: the body is all 'x', which is no hex digit, and no header line is hex alone.
            List<Integer> chunks = server.received()
                    .lines()
                    .filter(line -> line.matches("[0-9a-f]+"))
                    .map(line -> Integer.parseInt(line, 16))
                    .toList();
            assertThat(chunks).containsExactly(4, 0, 65536, 65536, 65536, 200_000 - 4 - 3 * 65536, 0);
        }
    }

    @Test
    void opensNoMoreConnectionsThanTheCapUnderConcurrentCalls() throws Exception {
        assertThat(connectionsForEightConcurrentCalls(2, null)).isLessThanOrEqualTo(2);
    }

    @Test
    void opensNoMoreConnectionsThanTheServersMaxConnections() throws Exception {
        // RFC 3507 §4.10.2: Max-Connections in OPTIONS is the most the server accepts; it lowers our own cap.
        assertThat(connectionsForEightConcurrentCalls(8, 2)).isLessThanOrEqualTo(2);
    }

    @Test
    void keepsTheConfiguredCapWhenTheServerAllowsMore() throws Exception {
        assertThat(connectionsForEightConcurrentCalls(1, 5)).isEqualTo(1);
    }

    /** Eight calls at once, each held 50 ms by the server; returns how many connections the server saw. */
    private static int connectionsForEightConcurrentCalls(int cap, Integer serverMax) throws Exception {
        String options = serverMax == null
                ? ScriptedIcapServer.OPTIONS_OK
                : ScriptedIcapServer.OPTIONS_OK.replace("Preview: 4", "Preview: 4\r\nMax-Connections: " + serverMax);
        try (ScriptedIcapServer server = new ScriptedIcapServer((connection, part) -> {
                    if (part.request().method().equals("REQMOD")) {
                        pause(50);
                    }
                    return new ScriptedIcapServer.Send(
                            part.request().method().equals("OPTIONS") ? options : ScriptedIcapServer.NO_CONTENT);
                });
                IcapClient client = new IcapClient(cap, Clock.systemUTC())) {
            java.util.List<Thread> callers = new java.util.ArrayList<>();
            java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
            for (int i = 0; i < 8; i++) {
                callers.add(Thread.ofVirtual().start(() -> {
                    try {
                        if (reqmod(client, server, "abc").status() == 204) {
                            ok.incrementAndGet();
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            for (Thread t : callers) {
                t.join();
            }

            assertThat(ok.get()).isEqualTo(8);
            // One OPTIONS for all eight callers.
            assertThat(server.parts)
                    .filteredOn(p -> p.request().method().equals("OPTIONS"))
                    .hasSize(1);
            return server.connections();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void cachesOptionsForTheirTtl() throws Exception {
        MutableClock clock = new MutableClock();
        try (ScriptedIcapServer server = new ScriptedIcapServer(
                        (connection, part) -> new ScriptedIcapServer.Send(ScriptedIcapServer.OPTIONS_OK));
                IcapClient client = new IcapClient(4, clock)) {
            client.options(uri(server), TlsSettings.defaults(), TIMEOUT);
            client.options(uri(server), TlsSettings.defaults(), TIMEOUT);
            assertThat(server.parts).hasSize(1);

            clock.advance(Duration.ofSeconds(61));
            client.options(uri(server), TlsSettings.defaults(), TIMEOUT);
            assertThat(server.parts).hasSize(2);
        }
    }

    @Test
    void fetchesOptionsAgainWhenTheServiceTagChanges() throws Exception {
        // RFC 3507 section 4.7: a new ISTag means the service changed, so its OPTIONS no longer hold.
        try (ScriptedIcapServer server = new ScriptedIcapServer((connection, part) -> new ScriptedIcapServer.Send(
                        part.request().method().equals("OPTIONS")
                                ? ScriptedIcapServer.OPTIONS_OK
                                : ScriptedIcapServer.NO_CONTENT.replace("\"s1\"", "\"s2\"")));
                IcapClient client = new IcapClient()) {
            for (int i = 0; i < 2; i++) {
                client.reqmod(
                        uri(server),
                        TlsSettings.defaults(),
                        IcapHeaders.empty(),
                        POST,
                        IcapBody.of(new byte[] {1}),
                        TIMEOUT);
            }

            assertThat(server.parts.stream().filter(p -> p.request().method().equals("OPTIONS")))
                    .hasSize(2);
        }
    }

    @Test
    void failsWithTheBodySourceErrorWhenTheBodyBreaksMidway() throws Exception {
        try (ScriptedIcapServer server = new ScriptedIcapServer((connection, part) -> switch (part.kind()) {
                    case PREVIEW_END -> new ScriptedIcapServer.Send(ScriptedIcapServer.CONTINUE);
                    case COMPLETE -> new ScriptedIcapServer.Send(ScriptedIcapServer.OPTIONS_OK);
                });
                IcapClient client = new IcapClient()) {
            InputStream broken = new InputStream() {
                private int left = 100;

                @Override
                public int read() throws IOException {
                    if (left == 0) {
                        throw new IOException("file service went away");
                    }
                    left--;
                    return 'x';
                }
            };

            assertThatThrownBy(() -> client.reqmod(
                            uri(server),
                            TlsSettings.defaults(),
                            IcapHeaders.empty(),
                            POST,
                            new IcapBody(1000, broken),
                            TIMEOUT))
                    .isInstanceOf(BodySourceException.class)
                    .hasMessageContaining("file service went away");
        }
    }

    @Test
    void masksCredentialHeadersInWireDebugOutput() throws Exception {
        String head = "REQMOD icap://h/r ICAP/1.0\r\nX-Client-IP: 10.0.0.5\r\n\r\n"
                + "POST / HTTP/1.1\r\nAuthorization: Bearer abc\r\ncookie: s=1\r\n\r\n";

        assertThat(IcapClient.maskSecrets(head))
                .contains("X-Client-IP: 10.0.0.5")
                .contains("Authorization: ****")
                .contains("cookie: ****")
                .doesNotContain("abc")
                .doesNotContain("s=1");
        try (ScriptedIcapServer server = new ScriptedIcapServer((connection, part) -> new ScriptedIcapServer.Send(
                        part.request().method().equals("OPTIONS")
                                ? ScriptedIcapServer.OPTIONS_OK
                                : ScriptedIcapServer.NO_CONTENT));
                IcapClient debugging = new IcapClient(2, Clock.systemUTC(), true)) {
            assertThat(reqmod(debugging, server, "abc").status()).isEqualTo(204);
        }
    }

    /** A server that asks for the rest of every body after its preview, and answers 204 once it has it. */
    private static ScriptedIcapServer continuingServer() throws IOException {
        return new ScriptedIcapServer((connection, part) -> switch (part.kind()) {
            case PREVIEW_END -> new ScriptedIcapServer.Send(ScriptedIcapServer.CONTINUE);
            case COMPLETE ->
                new ScriptedIcapServer.Send(
                        part.request().method().equals("OPTIONS")
                                ? ScriptedIcapServer.OPTIONS_OK
                                : ScriptedIcapServer.NO_CONTENT);
        });
    }

    private static IcapResponse reqmod(IcapClient client, ScriptedIcapServer server, String body) throws IOException {
        return client.reqmod(
                uri(server),
                TlsSettings.defaults(),
                IcapHeaders.empty(),
                POST,
                IcapBody.of(body.getBytes(StandardCharsets.US_ASCII)),
                TIMEOUT);
    }

    private static URI uri(ScriptedIcapServer server) {
        return URI.create("icap://127.0.0.1:" + server.port() + "/req");
    }
}

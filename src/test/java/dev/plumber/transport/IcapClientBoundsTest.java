package dev.plumber.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.plumber.icap.HttpRequestHead;
import dev.plumber.icap.IcapHeaders;
import dev.plumber.icap.IcapRequestDecoder;
import dev.plumber.icap.IcapResponse;
import dev.plumber.mock.infowatch.MockCertificate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A DLP that announces more than is sane, or stops reading, costs the client bounded memory and at most the call's
 * deadline; an Error thrown inside an exchange loses no pooled connection.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IcapClientBoundsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** Room for aborting the connection and joining the body writer after the deadline. */
    private static final Duration GRACE = Duration.ofMillis(1500);

    private static final HttpRequestHead POST =
            HttpRequestHead.of("POST", "http://vkteams/", IcapHeaders.of("Host", "vkteams"));
    private static final String OPTIONS_HUGE_PREVIEW =
            ScriptedIcapServer.OPTIONS_OK.replace("Preview: 4", "Preview: 2000000000");
    private static final String OPTIONS_NO_PREVIEW = ScriptedIcapServer.OPTIONS_OK.replace("Preview: 4\r\n", "");

    @Test
    void failsPromptlyOnAHugeEncapsulatedHeaderSectionAndClosesTheConnection() throws Exception {
        // The reviewer's DLP: 2 GB of res-hdr announced and streamed, which the client used to buffer whole.
        AtomicLong sent = new AtomicLong();
        long offered = 64L << 20;
        try (ScriptedIcapServer server = new ScriptedIcapServer((connection, part) -> {
                    if (part.request().method().equals("OPTIONS")) {
                        return new ScriptedIcapServer.Send(ScriptedIcapServer.OPTIONS_OK);
                    }
                    return new ScriptedIcapServer.Run(out -> {
                        write(
                                out,
                                "ICAP/1.0 200 OK\r\nISTag: \"s1\"\r\n"
                                        + "Encapsulated: res-hdr=0, res-body=2000000000\r\n\r\nHTTP/1.1 403 Forbidden\r\n");
                        byte[] line = ("X-Filler: " + "a".repeat(1000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                        while (sent.get() < offered) {
                            // Fails once the client has closed the connection.
                            out.write(line);
                            sent.addAndGet(line.length);
                        }
                    });
                });
                IcapClient client = new IcapClient(4, Clock.systemUTC())) {
            long start = System.nanoTime();

            Throwable thrown = catchThrowable(() -> reqmod(client, server, IcapBody.of(new byte[] {1, 2, 3})));

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(thrown)
                    .isInstanceOf(IOException.class)
                    .isNotInstanceOf(IcapTimeoutException.class)
                    .hasMessage("bad ICAP response: Encapsulated announces 2000000000 bytes of HTTP headers, more than"
                            + " the 65536 allowed: 'res-hdr=0, res-body=2000000000'");
            assertThat(took).isLessThan(TIMEOUT);
            // The client stopped at the head and closed: the server could send no more than the sockets' buffers hold.
            Thread.sleep(500);
            assertThat(sent.get()).isLessThan(16L << 20);
        }
    }

    @Test
    void sendsAPreviewOfAtMost64KibWhateverTheServerAsksFor() throws Exception {
        try (ScriptedIcapServer server = new ScriptedIcapServer((connection, part) -> switch (part.kind()) {
                    case PREVIEW_END -> new ScriptedIcapServer.Send(ScriptedIcapServer.CONTINUE);
                    case COMPLETE ->
                        new ScriptedIcapServer.Send(
                                part.request().method().equals("OPTIONS")
                                        ? OPTIONS_HUGE_PREVIEW
                                        : ScriptedIcapServer.NO_CONTENT);
                });
                IcapClient client = new IcapClient(4, Clock.systemUTC())) {
            byte[] body = new byte[1 << 20];
            body[body.length - 1] = 7;

            IcapResponse answer = reqmod(client, server, new IcapBody(body.length, new ByteArrayInputStream(body)));

            assertThat(answer.status()).isEqualTo(204);
            IcapRequestDecoder.Part preview = server.parts.get(1);
            assertThat(preview.kind()).isEqualTo(IcapRequestDecoder.Kind.PREVIEW_END);
            assertThat(preview.request().headers().first("Preview")).isEqualTo("65536");
            assertThat(preview.body()).hasSize(IcapClient.MAX_PREVIEW);
            assertThat(server.parts.get(2).body()).isEqualTo(body);
        }
    }

    @Test
    void failsWithinTheDeadlineWhenTheServerStopsReadingAHugePreview() throws Exception {
        // Preview: 2000000000 had the caller write a 64 MiB preview on its own thread, past any deadline.
        try (SlowServer server = new SlowServer(null, OPTIONS_HUGE_PREVIEW, 0);
                IcapClient client = new IcapClient(4, Clock.systemUTC())) {
            assertFailsWithinTheDeadline(client, URI.create("icap://127.0.0.1:" + server.port() + "/req"), null);
        }
    }

    @Test
    void failsWithinTheDeadlineWhenATlsServerStopsReadingTheBody(@TempDir Path dir) throws Exception {
        // A TLS socket's close waits for a blocked write to send its close_notify: the deadline must not.
        MockCertificate certificate = MockCertificate.generate(dir);
        try (SlowServer server = new SlowServer(certificate, OPTIONS_NO_PREVIEW, 0);
                IcapClient client = new IcapClient(4, Clock.systemUTC())) {
            assertFailsWithinTheDeadline(
                    client,
                    URI.create("icaps://127.0.0.1:" + server.port() + "/req"),
                    new TlsSettings(certificate.caFile(), true));
        }
    }

    @ParameterizedTest(name = "tls: {0}")
    @ValueSource(booleans = {false, true})
    void aBodyTheServerTakesSteadilyIsDeliveredHoweverLongTheWholeTakes(boolean tls, @TempDir Path dir)
            throws Exception {
        // 24 MiB, read 64 KiB at a time with 10 ms pauses: the whole takes longer than the call's time budget, no part
        // of it near it. The answer waits only for what the sockets' buffers still hold (a few MiB) to be read.
        Duration budget = Duration.ofSeconds(2);
        MockCertificate certificate = tls ? MockCertificate.generate(dir) : null;
        try (SlowServer server = new SlowServer(certificate, OPTIONS_NO_PREVIEW, 64 * 1024);
                IcapClient client = new IcapClient(4, Clock.systemUTC())) {
            URI service = URI.create((tls ? "icaps" : "icap") + "://127.0.0.1:" + server.port() + "/req");
            TlsSettings settings = tls ? new TlsSettings(certificate.caFile(), true) : TlsSettings.defaults();
            byte[] body = new byte[24 << 20];
            long start = System.nanoTime();

            IcapResponse answer =
                    client.reqmod(service, settings, IcapHeaders.empty(), POST, IcapBody.of(body), budget);

            assertThat(answer.status()).isEqualTo(204);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(budget);
        }
    }

    private static void assertFailsWithinTheDeadline(IcapClient client, URI service, TlsSettings tls) throws Exception {
        TlsSettings settings = tls == null ? TlsSettings.defaults() : tls;
        assertThat(client.options(service, settings, Duration.ofSeconds(5)).ok())
                .isTrue();
        byte[] body = new byte[64 << 20];
        long start = System.nanoTime();

        Throwable thrown = catchThrowable(
                () -> client.reqmod(service, settings, IcapHeaders.empty(), POST, IcapBody.of(body), TIMEOUT));

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(thrown).isInstanceOf(IcapTimeoutException.class);
        assertThat(took).as(thrown.toString()).isLessThan(TIMEOUT.plus(GRACE));
    }

    @Test
    void anErrorFromTheBodySourceGivesItsConnectionBack() throws Exception {
        try (ScriptedIcapServer server = new ScriptedIcapServer((connection, part) -> switch (part.kind()) {
                    case PREVIEW_END -> new ScriptedIcapServer.Send(ScriptedIcapServer.CONTINUE);
                    case COMPLETE ->
                        new ScriptedIcapServer.Send(
                                part.request().method().equals("OPTIONS")
                                        ? ScriptedIcapServer.OPTIONS_OK
                                        : ScriptedIcapServer.NO_CONTENT);
                });
                IcapClient client = new IcapClient(2, Clock.systemUTC())) {
            // More calls than the pool has connections: each one lost would leave the later calls waiting it out.
            for (int i = 0; i < 3; i++) {
                InputStream failing = new InputStream() {
                    private int left = 100;

                    @Override
                    public int read() {
                        if (left-- == 0) {
                            throw new StackOverflowError("body source blew its stack");
                        }
                        return 'x';
                    }
                };
                assertThatThrownBy(() -> reqmod(client, server, new IcapBody(1000, failing)))
                        .isInstanceOf(StackOverflowError.class)
                        .hasMessage("body source blew its stack");
            }

            for (int i = 0; i < 2; i++) {
                assertThat(reqmod(client, server, IcapBody.of("abcdef".getBytes(StandardCharsets.US_ASCII)))
                                .status())
                        .isEqualTo(204);
            }
        }
    }

    private static IcapResponse reqmod(IcapClient client, ScriptedIcapServer server, IcapBody body) throws IOException {
        return client.reqmod(
                URI.create("icap://127.0.0.1:" + server.port() + "/req"),
                TlsSettings.defaults(),
                IcapHeaders.empty(),
                POST,
                body,
                Duration.ofSeconds(5));
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /**
     * Answers the first request on each connection (OPTIONS), then reads what follows {@code slice} bytes every 10 ms
     * and answers 204 when the body has ended; with a slice of 0 it never reads again, until closed.
     */
    private static final class SlowServer implements AutoCloseable {
        private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        SlowServer(MockCertificate tls, String optionsAnswer, int slice) throws IOException {
            server = tls == null
                    ? new ServerSocket()
                    : tls.serverContext().getServerSocketFactory().createServerSocket();
            // A small window, so that what the client has written is mostly what this server has read.
            server.setReceiveBufferSize(64 * 1024);
            server.bind(null);
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket socket = server.accept();
                        sockets.add(socket);
                        Thread.ofVirtual().start(() -> serve(socket, optionsAnswer, slice));
                    }
                } catch (IOException closed) {
                    // The test is over.
                }
            });
        }

        private static void serve(Socket socket, String optionsAnswer, int slice) {
            try {
                InputStream in = socket.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    int c = in.read();
                    if (c < 0) {
                        return;
                    }
                    head.append((char) c);
                }
                write(socket.getOutputStream(), optionsAnswer);
                if (slice == 0) {
                    return;
                }
                // The body is zeros: its end is the only place the last chunk's bytes can appear.
                byte[] buffer = new byte[slice];
                byte[] tail = new byte[LAST_CHUNK.length];
                int sinceSleep = 0;
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(tail, 1, tail, 0, tail.length - 1);
                        tail[tail.length - 1] = buffer[i];
                    }
                    if (Arrays.equals(tail, LAST_CHUNK)) {
                        write(socket.getOutputStream(), ScriptedIcapServer.NO_CONTENT);
                        return;
                    }
                    // A TLS read returns one record (16 KiB at most): the pause comes after a slice, not after a read.
                    sinceSleep += n;
                    if (sinceSleep >= slice) {
                        Thread.sleep(10);
                        sinceSleep = 0;
                    }
                }
            } catch (IOException | InterruptedException e) {
                // The client went away.
            }
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}

package dev.plumber.infowatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.plumber.delivery.DeliveryException;
import dev.plumber.event.DlpEvent;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.infowatch.thrift.EventProcessor;
import dev.plumber.infowatch.thrift.pushapiConstants;
import dev.plumber.mock.infowatch.InfowatchMockServer;
import dev.plumber.mock.infowatch.MockCertificate;
import dev.plumber.mock.infowatch.RecordedEvent;
import dev.plumber.settings.DlpSettings;
import dev.plumber.testkit.GeneratedFileSource;
import dev.plumber.testkit.TcpProxy;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocolUtil;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TIOStreamTransport;
import org.apache.thrift.transport.layered.TFramedTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Traffic Monitor that drips its answer (or the TLS records under it) or announces a huge frame must cost one call
 * at most {@code dlpClient.timeout} and a little more: a transient failure that says so, on a connection that is
 * closed, after which the next call works; one that takes a file steadily gets it, however long the whole takes. The hostile servers are raw TLS sockets with the mock's certificate.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class InfowatchDeadlineIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** The machine is shared and noisy: a call must end within the timeout and this much more. */
    private static final Duration SLACK = Duration.ofSeconds(3);

    @TempDir
    static Path dir;

    private static MockCertificate certificate;
    private final GeneratedFileSource files = new GeneratedFileSource();
    private InfowatchMockServer mock;
    private SSLServerSocket hostile;
    private InfowatchSender sender;

    @BeforeAll
    static void makeCertificate() throws Exception {
        certificate = MockCertificate.generate(dir);
    }

    @BeforeEach
    void start() throws Exception {
        mock = InfowatchMockServer.start(0, certificate, "Acme", "secret");
        hostile = (SSLServerSocket)
                certificate.serverContext().getServerSocketFactory().createServerSocket(0);
        sender = sender(TIMEOUT);
    }

    @AfterEach
    void stop() throws IOException {
        sender.close();
        hostile.close();
        mock.close();
    }

    @ParameterizedTest(name = "dripping the answer to {0}")
    @ValueSource(strings = {"GetVersion", "BeginEvent"})
    void aServerDrippingItsAnswerFailsTheCallWithinTheTimeout(String dripped) throws Exception {
        CountDownLatch clientHungUp = new CountDownLatch(1);
        serveOnce(protocol -> {
            if (dripped.equals("BeginEvent")) {
                answerGetVersion(protocol);
            }
            readRequest(protocol);
            OutputStream out = protocol.socket().getOutputStream();
            // A 100-byte frame, one byte a second: each read gets its byte well within the timeout.
            out.write(new byte[] {0, 0, 0, 100});
            try {
                for (int i = 0; i < 100; i++) {
                    out.write(0);
                    out.flush();
                    Thread.sleep(1_000);
                }
            } catch (IOException e) {
                clientHungUp.countDown();
            }
        });

        long start = System.nanoTime();
        Throwable failure = catchThrowable(() -> sender.send(message("dripped"), settings(hostile.getLocalPort())));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(failure).isInstanceOfSatisfying(DeliveryException.class, e -> {
            assertThat(e.permanent()).isFalse();
            assertThat(e.getMessage())
                    .isEqualTo("InfoWatch localhost:" + hostile.getLocalPort() + " did not answer within 2s"
                            + " (dlpClient.timeout)");
        });
        assertThat(took).isLessThan(TIMEOUT.plus(SLACK));
        assertThat(clientHungUp.await(5, TimeUnit.SECONDS))
                .as("the connection that ran out of time is closed")
                .isTrue();
        sender.send(message("next"), settings(mock.port()));
        assertThat(mock.events()).extracting(RecordedEvent::text).containsExactly("next");
    }

    @ParameterizedTest(name = "a frame of {0} bytes")
    @ValueSource(ints = {16_000_000, Integer.MAX_VALUE})
    void aServerAnnouncingAHugeFrameFailsPromptlyWithoutTheClientAllocatingIt(int size) throws Exception {
        InfowatchSender patient = sender(Duration.ofSeconds(10));
        try (patient) {
            // Handshake classes and the trust store are loaded first, so that only the call itself is measured.
            patient.send(message("warm"), settings(mock.port()));
            serveOnce(protocol -> {
                readRequest(protocol);
                OutputStream out = protocol.socket().getOutputStream();
                out.write(new byte[] {(byte) (size >>> 24), (byte) (size >>> 16), (byte) (size >>> 8), (byte) size});
                out.flush();
                Thread.sleep(15_000);
            });

            long allocatedBefore = allocatedByThisThread();
            long start = System.nanoTime();
            Throwable failure = catchThrowable(() -> patient.send(message("huge"), settings(hostile.getLocalPort())));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            long allocated = allocatedByThisThread() - allocatedBefore;

            assertThat(failure).isInstanceOfSatisfying(DeliveryException.class, e -> {
                assertThat(e.permanent()).isFalse();
                assertThat(e.getMessage())
                        .contains("Frame size (" + size + ") larger than max length (" + PushApiConnection.MAX_FRAME);
            });
            assertThat(took).isLessThan(Duration.ofSeconds(5));
            assertThat(allocated).isLessThan(8L << 20);
        }
    }

    @Test
    void aFileWhoseChunksAreEachAnsweredInTimeIsDeliveredHoweverLongTheWholeTakes() throws Exception {
        long size = 20L * InfowatchSender.CHUNK;
        files.put("slow", size);
        // 25 requests of 300 ms each: every answer well within the timeout, the call as a whole far beyond it. Each
        // chunk the server takes gives the call its whole time again: a file is bounded by its pace, not its size.
        mock.slow(Duration.ofMillis(300));
        long start = System.nanoTime();

        sender.send(file("slow", size), settings(mock.port()));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(TIMEOUT.multipliedBy(2));
        assertThat(mock.takeEvent(Duration.ofSeconds(5)).streams().get(PushApiEvents.FILE_DATA_ID))
                .isEqualTo(new RecordedEvent.Streamed(size, files.sha256("slow")));
    }

    @Test
    void aPathThatDripsTheServersBytesBelowTlsFailsTheCallSoonAfterItsTimeout() throws Exception {
        // Each read of the TCP socket gets a byte of the handshake in time: only the call's watchdog ends it.
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", mock.port())) {
            proxy.drip(0, Duration.ofMillis(100));
            long start = System.nanoTime();

            Throwable failure = catchThrowable(() -> sender.send(message("dripped"), settings(proxy.port())));

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(failure)
                    .isInstanceOfSatisfying(DeliveryException.class, e -> assertThat(e.permanent())
                            .isFalse())
                    .hasMessage(
                            "InfoWatch localhost:" + proxy.port() + " did not answer within 2s (dlpClient.timeout)");
            assertThat(took).isLessThan(TIMEOUT.plus(SLACK));
        }
    }

    private interface Script {
        void run(ServerSide protocol) throws Exception;
    }

    /** The hostile server's side of one connection: framed binary Thrift over the TLS socket. */
    private record ServerSide(Socket socket, TBinaryProtocol protocol) {}

    /** Accepts one connection on the hostile server and runs the script on it. */
    private void serveOnce(Script script) {
        Thread.ofVirtual().name("hostile-infowatch").start(() -> {
            try (Socket socket = hostile.accept()) {
                TBinaryProtocol protocol = new TBinaryProtocol(new TFramedTransport(
                        new TIOStreamTransport(socket.getInputStream(), socket.getOutputStream())));
                script.run(new ServerSide(socket, protocol));
            } catch (Exception e) {
                // The client hung up or the test ended; either is the point of the exercise.
            }
        });
    }

    /** Reads one request whole, whatever it is; returns its sequence id. */
    private static int readRequest(ServerSide side) throws TException {
        TMessage request = side.protocol().readMessageBegin();
        TProtocolUtil.skip(side.protocol(), TType.STRUCT);
        side.protocol().readMessageEnd();
        return request.seqid;
    }

    private static void answerGetVersion(ServerSide side) throws TException {
        int seqid = readRequest(side);
        side.protocol().writeMessageBegin(new TMessage("GetVersion", TMessageType.REPLY, seqid));
        new EventProcessor.GetVersion_result()
                .setSuccess(pushapiConstants.pushapi_version)
                .write(side.protocol());
        side.protocol().writeMessageEnd();
        side.protocol().getTransport().flush();
    }

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private InfowatchSender sender(Duration timeout) throws Exception {
        return new InfowatchSender(
                files,
                timeout,
                PluginManifest.bundled(),
                new Capture("10.9.8.7", "gw.test"),
                Clock.systemUTC(),
                Duration.ofMillis(300),
                Duration.ofSeconds(1));
    }

    private static DlpSettings settings(int port) throws Exception {
        return DlpSettings.fromMap(Map.of(
                "system", "infowatch",
                "address", "localhost:" + port,
                "company", "Acme",
                "token", "secret",
                "imservice", "im_VKteams",
                "caFile", certificate.caFile().toString()));
    }

    private static DlpEvent message(String text) {
        return new MessageEvent(
                UUID.randomUUID(),
                1,
                "alice@corp.example",
                "chat-1",
                "group",
                text,
                null,
                "{}",
                "10.0.0.5",
                Instant.now(),
                false);
    }

    private static DlpEvent file(String hash, long size) {
        return new FileEvent(
                UUID.randomUUID(),
                hash,
                "data.bin",
                size,
                "application/octet-stream",
                "alice@corp.example",
                "10.0.0.5",
                Instant.now());
    }
}

package dev.plumber.searchinform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.plumber.delivery.Verdict;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.icap.HttpRequestHead;
import dev.plumber.icap.IcapHeaders;
import dev.plumber.icap.IcapResponse;
import dev.plumber.settings.DlpSettings;
import dev.plumber.testkit.CIcapServer;
import dev.plumber.testkit.InMemoryFileSource;
import dev.plumber.testkit.TcpProxy;
import dev.plumber.transport.IcapBody;
import dev.plumber.transport.IcapClient;
import dev.plumber.transport.IcapOptions;
import dev.plumber.transport.IcapTimeoutException;
import dev.plumber.transport.TlsSettings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our client and sender against a real c-icap 0.5 (see notes/icap.md for its quirks). */
@Timeout(60)
class CIcapInteropIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static CIcapServer cicap;
    private static IcapClient client;
    private static InMemoryFileSource files;
    private static SearchInformSender sender;

    @BeforeAll
    static void start() throws Exception {
        cicap = CIcapServer.start();
        client = new IcapClient();
        files = new InMemoryFileSource();
        sender = new SearchInformSender(client, files, TIMEOUT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (cicap != null) {
            cicap.close();
        }
    }

    @Test
    void blocksACardNumberMessageWithAReason() throws Exception {
        Verdict verdict = sender.send(message("pay to 4111 1111 1111 1111 today"), settings(cicap.dlpServiceUri()));

        assertThat(verdict.outcome()).as(cicap.serverLog()).isEqualTo(Verdict.Outcome.BLOCKED);
        assertThat(verdict.reason()).startsWith("403 Forbidden; X-Response-Info: ");
        assertThat(verdict.reference()).isNotBlank();
    }

    @Test
    void blocksOverIcapsWhenTheServerCertificateIsTrustedThroughCaFile() throws Exception {
        DlpSettings tls = DlpSettings.fromMap(Map.of(
                "system", "icap",
                "address", cicap.dlpServiceTlsUri().toString(),
                "caFile", cicap.caFile().toString()));

        assertThat(sender.send(message("4111 1111 1111 1111"), tls).outcome()).isEqualTo(Verdict.Outcome.BLOCKED);
        assertThat(sender.send(message("fine"), tls).outcome()).isEqualTo(Verdict.Outcome.ALLOWED);
    }

    @Test
    void refusesAnUntrustedIcapsServerUnlessVerificationIsOff() throws Exception {
        String address = cicap.dlpServiceTlsUri().toString();

        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        sender.send(message("x"), DlpSettings.fromMap(Map.of("system", "icap", "address", address))))
                .isInstanceOfSatisfying(dev.plumber.delivery.DeliveryException.class, e -> assertThat(e.permanent())
                        .isFalse());
        Verdict unverified = sender.send(
                message("x"), DlpSettings.fromMap(Map.of("system", "icap", "address", address, "tlsVerify", "false")));
        assertThat(unverified.outcome()).isEqualTo(Verdict.Outcome.ALLOWED);
    }

    @Test
    void allowsAPlainMessage() throws Exception {
        Verdict verdict = sender.send(message("lunch at noon?"), settings(cicap.dlpServiceUri()));

        assertThat(verdict.outcome()).as(cicap.serverLog()).isEqualTo(Verdict.Outcome.ALLOWED);
    }

    @Test
    void readsPreviewSizeAndTtlFromOptions() throws Exception {
        IcapOptions dlp = client.options(cicap.dlpServiceUri(), TlsSettings.defaults(), TIMEOUT);
        IcapOptions echo = client.options(cicap.echoServiceUri(), TlsSettings.defaults(), TIMEOUT);

        assertThat(dlp.ok()).isTrue();
        assertThat(dlp.preview()).isEqualTo(1024);
        // c-icap's content filter does not offer "Allow: 204"; its echo service does.
        assertThat(dlp.allow204()).isFalse();
        assertThat(echo.allow204()).isTrue();
        assertThat(echo.expires()).isAfter(Instant.now().plusSeconds(3500));
    }

    @Test
    void passesAFileThroughInChunksAfterThePreview() throws Exception {
        byte[] content = new byte[2_000_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i % 251);
        }
        files.put("big", content);
        FileEvent file = new FileEvent(
                UUID.randomUUID(), "big", "data.bin", content.length, "x", "bob@demo.local", "10.0.0.6", Instant.EPOCH);

        // The echo service answers 200 (echoing the request) or 204 on previews: both mean allowed.
        assertThat(sender.send(file, settings(cicap.echoServiceUri())).outcome())
                .isEqualTo(Verdict.Outcome.ALLOWED);
        assertThat(sender.send(file, settings(cicap.dlpServiceUri())).outcome()).isEqualTo(Verdict.Outcome.ALLOWED);
    }

    /** 12 MiB is past the content filter's default of 5 MB, which answered such a file after its preview. */
    @ParameterizedTest
    @ValueSource(ints = {50_000, 12 << 20})
    void blocksACardNumberDeepInsideAFile(int offset) throws Exception {
        byte[] padding = "x".repeat(offset).getBytes(StandardCharsets.US_ASCII);
        byte[] card = " 4111-1111-1111-1111 ".getBytes(StandardCharsets.US_ASCII);
        byte[] content = new byte[padding.length + card.length];
        System.arraycopy(padding, 0, content, 0, padding.length);
        System.arraycopy(card, 0, content, padding.length, card.length);
        files.put("card", content);
        FileEvent file = new FileEvent(
                UUID.randomUUID(), "card", "c.txt", content.length, "x", "bob@demo.local", "10.0.0.6", Instant.EPOCH);

        assertThat(sender.send(file, settings(cicap.dlpServiceUri())).outcome())
                .as(cicap.serverLog())
                .isEqualTo(Verdict.Outcome.BLOCKED);
    }

    @Test
    void keepsWorkingAcrossManyRequestsAndConnectionCloses() throws Exception {
        // c-icap closes a connection after MaxKeepAliveRequests (100): the pool must follow along.
        HttpRequestHead http = HttpRequestHead.of("POST", "http://vkteams/", IcapHeaders.of("Host", "vkteams"));
        for (int i = 0; i < 250; i++) {
            IcapResponse r = client.reqmod(
                    cicap.echoServiceUri(),
                    TlsSettings.defaults(),
                    IcapHeaders.empty(),
                    http,
                    IcapBody.of(("n" + i).getBytes(StandardCharsets.US_ASCII)),
                    TIMEOUT);
            assertThat(r.status()).isIn(200, 204);
        }
    }

    @ParameterizedTest(name = "once the client has sent {0} bytes")
    @ValueSource(longs = {0, 16 * 1024})
    void aTlsPathThatDripsTheServersBytesFailsTheCallSoonAfterItsTimeout(long afterClientBytes) throws Exception {
        // Below TLS the server's bytes come one at a time, 100 ms apart: each read of the TCP socket gets one in time,
        // so only the call's watchdog ends it. From byte 0 the handshake is dripped; from 16 KiB the answer to a body.
        URI direct = cicap.dlpServiceTlsUri();
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", direct.getPort());
                IcapClient own = new IcapClient()) {
            proxy.drip(afterClientBytes, Duration.ofMillis(100));
            URI service = URI.create("icaps://127.0.0.1:" + proxy.port() + direct.getPath());
            HttpRequestHead http = HttpRequestHead.of("POST", "http://vkteams/", IcapHeaders.of("Host", "vkteams"));
            Duration budget = Duration.ofSeconds(1);
            long start = System.nanoTime();

            Throwable thrown = catchThrowable(() -> own.reqmod(
                    service,
                    new TlsSettings(cicap.caFile(), true),
                    IcapHeaders.empty(),
                    http,
                    IcapBody.of(new byte[64 * 1024]),
                    budget));

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(thrown)
                    .isInstanceOf(IcapTimeoutException.class)
                    .hasMessageContaining("took longer than 1000 ms");
            assertThat(took).isLessThan(budget.plus(Duration.ofSeconds(2)));
        }
    }

    @Test
    void answersAnUnknownServiceWithAPermanentFailure() {
        URI missing = URI.create("icap://127.0.0.1:" + cicap.port() + "/no-such-service");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sender.send(message("x"), settings(missing)))
                .isInstanceOfSatisfying(
                        dev.plumber.delivery.DeliveryException.class,
                        e -> assertThat(e.permanent()).as(e.getMessage()).isTrue());
    }

    private static MessageEvent message(String text) {
        return new MessageEvent(
                UUID.randomUUID(),
                7,
                "alice@demo.local",
                "chat-1",
                "group",
                text,
                null,
                "{}",
                "10.0.0.5",
                Instant.EPOCH,
                false);
    }

    private static DlpSettings settings(URI service) throws Exception {
        return DlpSettings.fromMap(Map.of("system", "icap", "address", service.toString()));
    }
}

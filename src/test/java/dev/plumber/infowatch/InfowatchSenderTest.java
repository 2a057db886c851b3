package dev.plumber.infowatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.plumber.delivery.DeliveryException;
import dev.plumber.delivery.Verdict;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.files.FileSource;
import dev.plumber.metrics.Meters;
import dev.plumber.mock.infowatch.InfowatchMockServer;
import dev.plumber.mock.infowatch.MockCertificate;
import dev.plumber.mock.infowatch.RecordedEvent;
import dev.plumber.settings.DlpSettings;
import dev.plumber.testkit.GeneratedFileSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The InfoWatch sender against the recording push-API mock over real TLS sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InfowatchSenderTest {
    @TempDir
    static Path dir;

    private static MockCertificate certificate;
    private InfowatchMockServer mock;
    private final GeneratedFileSource files = new GeneratedFileSource();
    private InfowatchSender sender;

    @BeforeAll
    static void makeCertificate() throws Exception {
        certificate = MockCertificate.generate(dir);
    }

    @BeforeEach
    void start() throws Exception {
        mock = InfowatchMockServer.start(0, certificate, "Acme", "secret");
        sender = new InfowatchSender(
                files,
                Duration.ofSeconds(5),
                PluginManifest.bundled(),
                new Capture("10.9.8.7", "gw.test"),
                Clock.systemUTC(),
                Duration.ofMillis(300),
                Duration.ofSeconds(1));
    }

    @AfterEach
    void stop() {
        sender.close();
        mock.close();
    }

    @Test
    void aMessageIsAcceptedWithTheTrafficMonitorIdAsReference() throws Exception {
        Verdict verdict = sender.send(message("hello", null), settings(Map.of()));

        RecordedEvent recorded = mock.takeEvent(Duration.ofSeconds(5));
        assertThat(verdict).isEqualTo(Verdict.accepted(recorded.tmId()));
        assertThat(recorded.isChat()).isTrue();
        assertThat(recorded.text()).isEqualTo("hello");
        assertThat(recorded.attribute("capture_server_fqdn")).isEqualTo("gw.test");
    }

    @Test
    void connectionsAreReusedAcrossEvents() throws Exception {
        for (int i = 0; i < 5; i++) {
            sender.send(message("m" + i, null), settings(Map.of()));
        }

        assertThat(mock.events()).hasSize(5);
        assertThat(mock.connectionsOpened()).isEqualTo(1);
    }

    @Test
    void anIdleConnectionTheServerClosedIsNotReused() throws Exception {
        sender.send(message("first", null), settings(Map.of()));
        mock.closeConnections();
        Thread.sleep(1_100);

        sender.send(message("after the server closed it", null), settings(Map.of()));

        assertThat(mock.events())
                .extracting(RecordedEvent::text)
                .containsExactly("first", "after the server closed it");
        assertThat(mock.connectionsOpened()).isEqualTo(2);
    }

    @Test
    void aFileIsStreamedInChunksAndArrivesWhole() throws Exception {
        files.put("f1", 3 * InfowatchSender.CHUNK + 17);

        sender.send(file("f1", 3 * InfowatchSender.CHUNK + 17), settings(Map.of()));

        RecordedEvent recorded = mock.takeEvent(Duration.ofSeconds(5));
        assertThat(recorded.isFileExchange()).isTrue();
        assertThat(recorded.attribute("VKteams_file_hash_header")).isEqualTo("f1");
        assertThat(recorded.streams().get(PushApiEvents.FILE_DATA_ID))
                .isEqualTo(new RecordedEvent.Streamed(3 * InfowatchSender.CHUNK + 17, files.sha256("f1")));
    }

    @Test
    void refusedCredentialsHaltSendingUntilTheSettingsChange() throws Exception {
        DlpSettings wrong = settings(Map.of("token", "wrong"));

        assertThatThrownBy(() -> sender.send(message("one", null), wrong))
                .isInstanceOfSatisfying(
                        DeliveryException.class, e -> assertThat(e.permanent()).isFalse())
                .hasMessageContaining("refused the credentials");
        assertThat(sender.halted()).hasValueSatisfying(r -> assertThat(r).contains("company 'Acme'"));
        int begunBefore = mock.begunEvents();
        assertThatThrownBy(() -> sender.send(message("two", null), wrong)).hasMessageContaining("sending halted");

        sender.send(message("three", null), settings(Map.of()));
        assertThat(sender.halted()).isEmpty();
        assertThat(mock.begunEvents()).isEqualTo(begunBefore + 1);
    }

    @Test
    void theHaltedGaugeFollowsTheSender() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new Meters(registry).dlpHalted("infowatch", () -> sender.halted().isPresent());
        Gauge gauge = registry.get(Meters.DLP_HALTED).tag("system", "infowatch").gauge();
        assertThat(gauge.value()).isZero();

        assertThatThrownBy(() -> sender.send(message("x", null), settings(Map.of("token", "wrong"))));
        assertThat(gauge.value()).isEqualTo(1);

        sender.send(message("y", null), settings(Map.of()));
        assertThat(gauge.value()).isZero();
    }

    @Test
    void aLicenceErrorHaltsAndAProbeAfterTheBackoffResumes() throws Exception {
        mock.licenceError("licence expired");
        assertThatThrownBy(() -> sender.send(message("one", null), settings(Map.of())))
                .hasMessageContaining("licence expired");
        assertThat(sender.halted()).isPresent();

        mock.licenceError(null);
        Thread.sleep(400);
        sender.send(message("two", null), settings(Map.of()));

        assertThat(sender.halted()).isEmpty();
        assertThat(mock.events()).extracting(RecordedEvent::text).containsExactly("two");
    }

    @Test
    void anEventTheServerRejectsIsAPermanentFailure() {
        mock.rejectEvents("unknown contact type");

        assertThatThrownBy(() -> sender.send(message("x", null), settings(Map.of())))
                .isInstanceOfSatisfying(
                        DeliveryException.class, e -> assertThat(e.permanent()).isTrue())
                .hasMessageContaining("unknown contact type");
        assertThat(sender.halted()).isEmpty();
    }

    @Test
    void aFileThatCannotBeReadToTheEndAbortsTheEvent() throws Exception {
        FileSource failing = hash -> new FileSource.OpenFile(1_000_000, new InputStream() {
            int left = 200_000;

            @Override
            public int read() throws IOException {
                if (left-- <= 0) {
                    throw new IOException("file service went away");
                }
                return 'x';
            }
        });
        InfowatchSender withFailingFiles = new InfowatchSender(
                failing,
                Duration.ofSeconds(5),
                PluginManifest.bundled(),
                new Capture("10.9.8.7", "gw.test"),
                Clock.systemUTC(),
                Duration.ofMillis(300),
                Duration.ofSeconds(1));

        try (withFailingFiles) {
            assertThatThrownBy(() -> withFailingFiles.send(file("h", 1_000_000), settings(Map.of())))
                    .isInstanceOfSatisfying(DeliveryException.class, e -> {
                        assertThat(e.permanent()).isFalse();
                        assertThat(e.stage()).isEqualTo("file");
                    })
                    .hasMessageContaining("file service went away");
        }
        assertThat(mock.abortedEvents()).isEqualTo(1);
        assertThat(mock.events()).isEmpty();
    }

    @Test
    void aConnectionDroppedMidStreamIsATransientFailureAndTheNextTryDeliversWhole() throws Exception {
        files.put("big", 40L * InfowatchSender.CHUNK);
        mock.dropConnectionAfter(10L * InfowatchSender.CHUNK);

        assertThatThrownBy(() -> sender.send(file("big", 40L * InfowatchSender.CHUNK), settings(Map.of())))
                .isInstanceOfSatisfying(
                        DeliveryException.class, e -> assertThat(e.permanent()).isFalse());
        assertThat(mock.events()).isEmpty();

        sender.send(file("big", 40L * InfowatchSender.CHUNK), settings(Map.of()));
        RecordedEvent recorded = mock.takeEvent(Duration.ofSeconds(5));
        assertThat(recorded.streams().get(PushApiEvents.FILE_DATA_ID).bytes()).isEqualTo(40L * InfowatchSender.CHUNK);
        assertThat(mock.droppedEvents()).isEqualTo(1);
        assertThat(mock.events()).hasSize(1);
    }

    @Test
    void aTrafficMonitorSlowerThanTheTimeoutIsATransientFailureAndTheConnectionIsNotReused() throws Exception {
        InfowatchSender impatient = new InfowatchSender(
                files,
                Duration.ofSeconds(2),
                PluginManifest.bundled(),
                new Capture("10.9.8.7", "gw.test"),
                Clock.systemUTC(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(1));
        try (impatient) {
            impatient.send(message("warm", null), settings(Map.of()));
            // Well past the 2 s budget, which leaves room for a TLS handshake on a loaded machine.
            mock.slow(Duration.ofSeconds(6));
            assertThatThrownBy(() -> impatient.send(message("slow", null), settings(Map.of())))
                    .isInstanceOfSatisfying(DeliveryException.class, e -> assertThat(e.permanent())
                            .isFalse())
                    .hasMessageContaining("did not answer within 2s");
            mock.slow(Duration.ZERO);

            impatient.send(message("fast again", null), settings(Map.of()));
        }
        assertThat(mock.connectionsOpened()).isEqualTo(2);
        assertThat(mock.events()).extracting(RecordedEvent::text).contains("warm", "fast again");
    }

    @Test
    void theWireLogShowsEachExchangeButNeverTheToken() throws Exception {
        Logger wire = (Logger) LoggerFactory.getLogger("dev.plumber.infowatch.wire");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        wire.addAppender(lines);
        files.put("logged", 100);
        try (InfowatchSender debugging = new InfowatchSender(
                files,
                Duration.ofSeconds(5),
                PluginManifest.bundled(),
                new Capture("10.9.8.7", "gw.test"),
                Clock.systemUTC(),
                Duration.ofMillis(300),
                Duration.ofSeconds(1),
                true)) {
            debugging.send(message("hello wire", "logged"), settings(Map.of()));
            debugging.send(file("logged", 100), settings(Map.of()));
        } finally {
            wire.detachAppender(lines);
        }

        List<String> logged =
                lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(logged).anySatisfy(line -> assertThat(line)
                .contains("BeginEvent(class=kChat", "\"hello wire\"", "VKteams_file_hash_header=logged", "token=****"));
        assertThat(logged).anySatisfy(line -> assertThat(line).contains("x1/EndStream", "100 bytes"));
        assertThat(logged).anySatisfy(line -> assertThat(line).contains("GetEventDatabaseId"));
        assertThat(logged).noneSatisfy(line -> assertThat(line).contains("secret"));
    }

    @Test
    void anUntrustedServerIsRefused() {
        Map<String, String> untrusted = new HashMap<>(Map.of());
        untrusted.put("caFile", "");

        assertThatThrownBy(() -> sender.send(message("x", null), settings(untrusted)))
                .isInstanceOfSatisfying(
                        DeliveryException.class, e -> assertThat(e.permanent()).isFalse())
                .hasMessageContaining("SSLHandshakeException");
        assertThat(mock.events()).isEmpty();
    }

    @Test
    void tlsVerifyFalseTrustsAnyServer() throws Exception {
        sender.send(message("x", null), settings(Map.of("caFile", "", "tlsVerify", "false")));

        assertThat(mock.events()).hasSize(1);
    }

    private DlpSettings settings(Map<String, String> overrides) throws Exception {
        Map<String, String> values = new HashMap<>(Map.of(
                "system", "infowatch",
                "address", "localhost:" + mock.port(),
                "company", "Acme",
                "token", "secret",
                "imservice", "im_VKteams",
                "caFile", certificate.caFile().toString()));
        values.putAll(overrides);
        return DlpSettings.fromMap(values);
    }

    private static MessageEvent message(String text, String hash) {
        return new MessageEvent(
                UUID.randomUUID(),
                1,
                "alice@corp.example",
                "chat-1",
                "group",
                text,
                hash,
                "{}",
                "10.0.0.5",
                Instant.now(),
                false);
    }

    private static FileEvent file(String hash, long size) {
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

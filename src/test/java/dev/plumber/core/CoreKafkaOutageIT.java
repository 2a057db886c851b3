package dev.plumber.core;

import static dev.plumber.core.CoreHarness.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.core.CoreHarness.Api;
import dev.plumber.core.CoreHarness.Setup;
import dev.plumber.event.DlpEvent;
import dev.plumber.event.EventCodec;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.testkit.KafkaBrokerProcess;
import dev.plumber.testkit.PostgresAndKafka;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The broker dies (SIGKILL) under a running core: sync mode refuses and keeps nothing, async mode loses nothing. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CoreKafkaOutageIT {
    @RegisterExtension
    static final PostgresAndKafka<KafkaBrokerProcess> services = PostgresAndKafka.withKafkaProcess();

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void inSyncModeAKilledBrokerMeans503AndNothingStoredOrSentLater() throws Exception {
        Setup setup = Setup.fresh(services.postgres(), services.bootstrapServers(), "core_outage_sync");
        try (CoreServer core = CoreServer.start(setup.config(dir)
                .messages(true, true)
                .files(true, true)
                .resortTimeout(Duration.ofSeconds(2))
                .build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            long chat = alice.createChat("personal", List.of("bob@demo.local"), null);
            long before = alice.sent(chat, "before the outage");

            services.kafka().kill();
            HttpResponse<String> refused = alice.send(chat, "during the outage");
            HttpResponse<String> refusedUpload =
                    alice.upload("during.txt", "text/plain", "during".getBytes(StandardCharsets.UTF_8));
            List<String> historyDuringOutage = texts(alice, chat);
            long storedFiles = setup.count("core.files");
            long checks = setup.count("core.dlp_checks");
            services.kafka().start();
            long after = sendUntilAccepted(alice, chat, "after the outage");

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(JSON.readTree(refused.body()).get("error").asText()).contains("DLP queue is unavailable");
            assertThat(refusedUpload.statusCode()).as(refusedUpload.body()).isEqualTo(503);
            assertThat(historyDuringOutage).containsExactly("before the outage");
            assertThat(storedFiles).isZero();
            assertThat(checks).isEqualTo(1);
            try (var stored = Files.list(dir.resolve("files"))) {
                assertThat(stored.filter(Files::isRegularFile)).isEmpty();
            }
            assertThat(setup.pendingEvents()).isZero();
            // The refused message must not reach the queue late either: the producer gives it up with the request.
            List<ConsumerRecord<String, byte[]>> records = setup.consume(2);
            assertThat(records)
                    .extracting(r -> ((MessageEvent) EventCodec.decode(r.value())).mid())
                    .containsExactly(before, after);
            assertThat(texts(alice, chat)).containsExactly("after the outage", "before the outage");
        }
    }

    @Test
    void inAsyncModeEverythingSentDuringAnOutageReachesTheQueueOnceTheBrokerIsBack() throws Exception {
        Setup setup = Setup.fresh(services.postgres(), services.bootstrapServers(), "core_outage_async");
        try (CoreServer core = CoreServer.start(setup.config(dir).build())) {
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            long chat = alice.createChat("group", List.of("bob@demo.local", "carol@demo.local"), "ops");
            Set<String> expected = new TreeSet<>();
            long first = alice.sent(chat, "before the outage");
            expected.add("message " + first + " edit=false");
            setup.consume(1);

            services.kafka().kill();
            for (int i = 0; i < 20; i++) {
                expected.add("message " + alice.sent(chat, "during the outage " + i) + " edit=false");
            }
            assertThat(alice.put("/api/v1/chats/" + chat + "/messages/" + first, Map.of("text", "edited"))
                            .statusCode())
                    .isEqualTo(200);
            expected.add("message " + first + " edit=true");
            HttpResponse<String> uploaded =
                    alice.upload("during.txt", "text/plain", "during".getBytes(StandardCharsets.UTF_8));
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(200);
            expected.add("file " + JSON.readTree(uploaded.body()).get("hash").asText());
            long pendingDuringOutage = setup.pendingEvents();
            services.kafka().start();

            List<ConsumerRecord<String, byte[]>> records =
                    setup.consume(setup.topic(), expected.size(), Duration.ofSeconds(120));
            Set<String> received = new TreeSet<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                received.add(describe(EventCodec.decode(record.value())));
            }

            assertThat(pendingDuringOutage).isPositive();
            assertThat(received).containsExactlyElementsOf(expected);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (setup.pendingEvents() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(setup.pendingEvents()).isZero();
            assertThat(texts(alice, chat)).hasSize(21);
        }
    }

    /** Right after a restart the producer may still be reconnecting; the client retries a 503 like a user would. */
    private static long sendUntilAccepted(Api api, long chat, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        HttpResponse<String> response;
        do {
            response = api.send(chat, text);
            if (response.statusCode() == 200) {
                return JSON.readTree(response.body()).get("mid").asLong();
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not accepted after the broker came back: " + response.body());
    }

    private static List<String> texts(Api api, long chat) throws Exception {
        List<String> texts = new ArrayList<>();
        api.history(chat).forEach(m -> texts.add(m.get("text").asText()));
        return texts;
    }

    private static String describe(DlpEvent event) {
        return switch (event) {
            case FileEvent f -> "file " + f.hash();
            case MessageEvent m -> "message " + m.mid() + " edit=" + m.edit();
        };
    }
}

package dev.plumber.core;

import static dev.plumber.core.CoreHarness.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.core.CoreHarness.Api;
import dev.plumber.core.CoreHarness.Setup;
import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.event.DlpEvent;
import dev.plumber.event.EventCodec;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.testkit.PostgresAndKafka;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seed's four flags, all sixteen combinations: a send, an edit and an upload produce exactly the events the flags
 * ask for, each by the path they ask for (produced inside the request, or through the outbox).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CoreFlagsIT {
    @RegisterExtension
    static final PostgresAndKafka<EmbeddedKafka> services = PostgresAndKafka.withEmbeddedKafka();

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    static Stream<Arguments> everyCombination() {
        List<Arguments> combinations = new ArrayList<>();
        for (int bits = 0; bits < 16; bits++) {
            combinations.add(Arguments.of((bits & 8) != 0, (bits & 4) != 0, (bits & 2) != 0, (bits & 1) != 0));
        }
        return combinations.stream();
    }

    @ParameterizedTest(name = "check_dlp={0} check_dlp_sync={1} isActive={2} syncSend={3}")
    @MethodSource("everyCombination")
    void eachFlagCombinationProducesExactlyItsEvents(
            boolean checkDlp, boolean checkDlpSync, boolean isActive, boolean syncSend) throws Exception {
        Setup setup = Setup.fresh(services.postgres(), services.bootstrapServers(), "core_flags");
        try (CoreServer core = CoreServer.start(setup.config(dir)
                .messages(checkDlp, checkDlpSync)
                .files(isActive, syncSend)
                .build())) {
            recordOutboxInserts(setup);
            Api alice = Api.login(http, core.port(), "alice@demo.local");
            long chat = alice.createChat("personal", List.of("bob@demo.local"), null);

            String hash = JSON.readTree(
                            alice.upload("notes.txt", "text/plain", "flags".getBytes(StandardCharsets.UTF_8))
                                    .body())
                    .get("hash")
                    .asText();
            long mid = alice.sent(chat, "first draft");
            assertThat(alice.put("/api/v1/chats/" + chat + "/messages/" + mid, Map.of("text", "final"))
                            .statusCode())
                    .isEqualTo(200);

            List<String> expected = new ArrayList<>();
            if (isActive) {
                expected.add("file " + hash);
            }
            if (checkDlp) {
                expected.add("message " + mid + " edit=false first draft");
                expected.add("message " + mid + " edit=true final");
            }
            List<ConsumerRecord<String, byte[]>> records = setup.consume(expected.size());
            List<String> produced = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                produced.add(describe(EventCodec.decode(record.value())));
            }
            // Order holds per key (one chat, one file), not across them: with one flag synchronous and the other
            // through the outbox, the message may overtake the file event the relay has not sent yet.
            assertThat(produced).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(produced.stream().filter(e -> e.startsWith("message ")))
                    .containsExactlyElementsOf(expected.stream()
                            .filter(e -> e.startsWith("message "))
                            .toList());
            assertThat(records)
                    .extracting(ConsumerRecord::key)
                    .allMatch(key -> key.equals(hash) || key.equals(Long.toString(chat)));
            assertThat(setup.count("core.dlp_checks")).isEqualTo(expected.size());
            int viaOutbox = (isActive && !syncSend ? 1 : 0) + (checkDlp && !checkDlpSync ? 2 : 0);
            assertThat(setup.count("public.outbox_seen WHERE topic = '" + setup.topic() + "'"))
                    .as("events that went through the outbox")
                    .isEqualTo(viaOutbox);
            assertThat(alice.history(chat)).hasSize(1);
        }
    }

    /** Notes every row the core adds to its outbox (the relay deletes them once sent, so they cannot be counted). */
    private static void recordOutboxInserts(Setup setup) throws Exception {
        setup.execute("CREATE TABLE public.outbox_seen (topic text NOT NULL)");
        setup.execute("CREATE FUNCTION public.note_outbox() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN INSERT INTO public.outbox_seen VALUES (NEW.topic); RETURN NEW; END $$");
        setup.execute("CREATE TRIGGER note_outbox AFTER INSERT ON core.outbox"
                + " FOR EACH ROW EXECUTE FUNCTION public.note_outbox()");
    }

    private static String describe(DlpEvent event) {
        return switch (event) {
            case FileEvent f -> "file " + f.hash();
            case MessageEvent m -> "message " + m.mid() + " edit=" + m.edit() + " " + m.text();
        };
    }
}

package dev.plumber.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class JournalIntakeTest {

    @Test
    void readsTheCoresJournalFormat() {
        Journals.Entry entry = JournalIntake.entry(
                record(
                        "admin-events",
                        "{\"v\":1,\"id\":\"e-1\",\"journal\":\"admin\",\"action\":\"user.created\",\"actor\":\"root@x\","
                                + "\"target\":\"carol@x\",\"ip\":\"10.0.0.1\",\"ts\":\"2026-11-23T10:00:00Z\","
                                + "\"details\":{\"role\":\"user\"}}"),
                "system");

        assertThat(entry)
                .isEqualTo(new Journals.Entry(
                        "e-1",
                        "admin",
                        "user.created",
                        "root@x",
                        "carol@x",
                        "10.0.0.1",
                        Instant.parse("2026-11-23T10:00:00Z"),
                        "{\"role\":\"user\"}"));
    }

    @Test
    void keepsAnUnreadableEntryWithItsRawTextAndAnIdFromItsPlace() {
        Journals.Entry entry = JournalIntake.entry(record("ops.system-journal", "not json <b>"), "system");
        Journals.Entry again = JournalIntake.entry(record("ops.system-journal", "not json <b>"), "system");

        assertThat(entry.journal()).isEqualTo("system");
        assertThat(entry.action()).isEqualTo("unreadable");
        assertThat(entry.details()).isEqualTo("not json <b>");
        assertThat(entry.id()).isEqualTo(again.id());
    }

    private static ConsumerRecord<byte[], byte[]> record(String topic, String value) {
        return new ConsumerRecord<>(topic, 0, 7, new byte[0], value.getBytes(StandardCharsets.UTF_8));
    }
}

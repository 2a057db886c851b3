package dev.plumber.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ViewJournalTest {
    private static final Instant AT = Instant.parse("2026-11-23T12:00:00.123456Z");

    @Test
    void theHashCoversEveryFieldAndThePreviousHash() {
        String hash = ViewJournal.hash(ViewJournal.GENESIS, 1, AT, "auditor@x", "message.view", "e-1", "10.0.0.1");

        assertThat(hash)
                .hasSize(64)
                .isEqualTo(
                        ViewJournal.hash(ViewJournal.GENESIS, 1, AT, "auditor@x", "message.view", "e-1", "10.0.0.1"));
        assertThat(ViewJournal.hash("1".repeat(64), 1, AT, "auditor@x", "message.view", "e-1", "10.0.0.1"))
                .isNotEqualTo(hash);
        assertThat(ViewJournal.hash(ViewJournal.GENESIS, 2, AT, "auditor@x", "message.view", "e-1", "10.0.0.1"))
                .isNotEqualTo(hash);
        assertThat(ViewJournal.hash(
                        ViewJournal.GENESIS, 1, AT.plusNanos(1000), "auditor@x", "message.view", "e-1", "10.0.0.1"))
                .isNotEqualTo(hash);
        assertThat(ViewJournal.hash(ViewJournal.GENESIS, 1, AT, "auditor@y", "message.view", "e-1", "10.0.0.1"))
                .isNotEqualTo(hash);
        assertThat(ViewJournal.hash(ViewJournal.GENESIS, 1, AT, "auditor@x", "file.view", "e-1", "10.0.0.1"))
                .isNotEqualTo(hash);
        assertThat(ViewJournal.hash(ViewJournal.GENESIS, 1, AT, "auditor@x", "message.view", "e-2", "10.0.0.1"))
                .isNotEqualTo(hash);
        assertThat(ViewJournal.hash(ViewJournal.GENESIS, 1, AT, "auditor@x", "message.view", "e-1", null))
                .isNotEqualTo(hash);
    }

    @Test
    void fieldsCannotBeShiftedFromOneToTheNext() {
        assertThat(ViewJournal.hash(ViewJournal.GENESIS, 1, AT, "ab", "c", "t", null))
                .isNotEqualTo(ViewJournal.hash(ViewJournal.GENESIS, 1, AT, "a", "bc", "t", null));
    }
}

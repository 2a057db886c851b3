package dev.plumber.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContentDispositionTest {
    @Test
    void attachmentNamesSurviveQuotesAndNonAsciiCharacters() {
        assertThat(ContentDisposition.attachment("отчёт \"1\".pdf"))
                .isEqualTo("attachment; filename=\"_____ _1_.pdf\"; filename*=UTF-8''"
                        + "%D0%BE%D1%82%D1%87%D1%91%D1%82%20%221%22.pdf");
    }

    @Test
    void plainNamesAppearUnchanged() {
        // RFC 6266 section 5: a token-safe ASCII name, and its RFC 8187 form for clients that prefer it.
        assertThat(ContentDisposition.attachment("report.pdf"))
                .isEqualTo("attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
    }
}

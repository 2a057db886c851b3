package dev.plumber.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlTest {

    @Test
    void escapesEveryCharacterThatCouldOpenMarkupOrLeaveAnAttribute() {
        assertThat(Html.escape("<img src=x onerror=alert(1)>")).isEqualTo("&lt;img src=x onerror=alert(1)&gt;");
        assertThat(Html.escape("\" onmouseover='x' `y` & z"))
                .isEqualTo("&quot; onmouseover=&#39;x&#39; &#96;y&#96; &amp; z");
    }

    @Test
    void nullIsEmptyAndPlainTextIsUnchanged() {
        assertThat(Html.escape(null)).isEmpty();
        assertThat(Html.escape("Привет, 4111 1111")).isEqualTo("Привет, 4111 1111");
    }

    @Test
    void urlEncodingKeepsPathsAndQueriesInOnePiece() {
        assertThat(Html.url("a b/c?d&e=f")).isEqualTo("a%20b%2Fc%3Fd%26e%3Df");
    }
}

package dev.plumber.mock.icap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MockRulesTest {

    @Test
    void theDemoRulesFileMatchesTheBuiltInDemoRules() throws Exception {
        MockRules file = MockRules.load(Path.of("icap/demo-rules.yml"));
        MockRules demo = MockRules.demo();

        assertThat(file.rules()).hasSameSizeAs(demo.rules());
        for (int i = 0; i < demo.rules().size(); i++) {
            MockRules.Rule a = file.rules().get(i);
            MockRules.Rule b = demo.rules().get(i);
            assertThat(a.name()).isEqualTo(b.name());
            assertThat(a.pattern().pattern()).isEqualTo(b.pattern().pattern());
            assertThat(a.action()).isEqualTo(b.action());
            assertThat(a.luhn()).isEqualTo(b.luhn());
        }
    }

    @Test
    void aRulesFileThatCannotBeReadIsNamedWithTheReason(@TempDir Path dir) {
        assertThatThrownBy(() -> MockRules.load(dir.resolve("missing.yml")))
                .isInstanceOf(IOException.class)
                .hasMessage("cannot read rules file " + dir.resolve("missing.yml") + ": no such file");
        assertThatThrownBy(() -> MockRules.load(dir))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot read rules file " + dir + ": ");
    }

    @Test
    void blocksCardNumbersInTheUsualSpellingsOnlyWhenTheyPassLuhn() {
        MockRules demo = MockRules.demo();

        assertThat(blockedBy(demo, "pay 4111 1111 1111 1111 now")).isEqualTo("card number");
        assertThat(blockedBy(demo, "{\"text\":\"4111-1111-1111-1111\"}")).isEqualTo("card number");
        assertThat(blockedBy(demo, "4111111111111111")).isEqualTo("card number");
        assertThat(blockedBy(demo, "4111 1111 1111 1112")).isNull();
        assertThat(blockedBy(demo, "order 1234567890123456789")).isNull();
        assertThat(blockedBy(demo, "41111 1111 1111 111")).isNull();
    }

    @Test
    void blocksTheWordConfidentialInAnyCase() {
        MockRules demo = MockRules.demo();

        assertThat(blockedBy(demo, "This is CONFIDENTIAL.")).isEqualTo("confidential");
        assertThat(blockedBy(demo, "Confidential")).isEqualTo("confidential");
        assertThat(blockedBy(demo, "confidentiality agreement")).isNull();
        assertThat(blockedBy(demo, "lunch?")).isNull();
    }

    @Test
    void anAllowRuleEarlierInTheListWins() throws Exception {
        MockRules rules = MockRules.parse(
                """
                rules:
                  - name: qa
                    pattern: 'qa-bot'
                    action: allow
                  - name: secret
                    pattern: 'secret'
                """,
                "test");

        assertThat(rules.firstMatch(bytes("qa-bot says secret")).action()).isEqualTo(MockRules.Action.ALLOW);
        assertThat(rules.firstMatch(bytes("a secret")).action()).isEqualTo(MockRules.Action.BLOCK);
    }

    @Test
    void rejectsBadRulesFilesWithTheRuleNumber() {
        assertThatThrownBy(() -> MockRules.parse("nothing: here", "f.yml")).hasMessageContaining("'rules:'");
        assertThatThrownBy(() -> MockRules.parse("rules:\n  - name: x\n    pattern: '('\n", "f.yml"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("f.yml: rule 1: bad pattern");
        assertThatThrownBy(() -> MockRules.parse("rules:\n  - pattern: 'a'\n", "f.yml"))
                .hasMessageContaining("'name' is required");
        assertThatThrownBy(() -> MockRules.parse("rules:\n  - name: a\n    pattern: 'a'\n    action: maybe\n", "f"))
                .hasMessageContaining("action must be");
    }

    private static String blockedBy(MockRules rules, String text) {
        MockRules.Rule rule = rules.firstMatch(bytes(text));
        return rule == null ? null : rule.name();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

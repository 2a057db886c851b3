package dev.plumber.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.HeadlessChrome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The console as an auditor uses it, in headless Chromium: log in, filter, open a blocked message with its file, and
 * see hostile text as text. Screenshots of the main pages go to {@code target/screenshots/}.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ConsoleBrowserIT {
    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final String HOSTILE = "<img src=x onerror=alert(1)>";
    private static final String HASH = "b6f1c9e3a2d44b0f8e1f7a9c0d3e5b7a9c1e3f5a7b9d1f3e5a7c9b1d3f5e7a9c";

    private static ConsoleFixture fixture;
    private static FileEvent file;
    private static MessageEvent blocked;
    private static MessageEvent hostile;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(HeadlessChrome.available(), "needs Debian chromium and chromium-driver (scripts/test-env.sh)");
        fixture = new ConsoleFixture();
        fixture.files.put(HASH, "quarterly numbers".getBytes(StandardCharsets.UTF_8));
        file = ConsoleFixture.file("alice@it.local", HASH, "secret-plan.pdf", 48_213);
        blocked = ConsoleFixture.message("alice@it.local", "chat-board", "here is the secret plan, see file", HASH);
        hostile = ConsoleFixture.message("mallory@it.local", "chat-board", HOSTILE, null);
        fixture.send(file);
        fixture.send(blocked);
        fixture.send(hostile);
        for (int i = 0; i < 6; i++) {
            fixture.send(ConsoleFixture.message("bob@it.local", "chat-lunch", "lunch at " + (11 + i), null));
        }
        fixture.journal(
                "admin-events",
                "{\"v\":1,\"id\":\"" + UUID.randomUUID() + "\",\"journal\":\"admin\",\"action\":\"user.created\","
                        + "\"actor\":\"admin@it.local\",\"target\":\"carol@it.local\",\"ip\":\"10.0.0.9\","
                        + "\"ts\":\"2026-11-23T09:00:00Z\",\"details\":{\"role\":\"user\"}}");
        fixture.journal(
                "system-events",
                "{\"v\":1,\"id\":\"" + UUID.randomUUID() + "\",\"journal\":\"system\",\"action\":\"login\","
                        + "\"actor\":\"alice@it.local\",\"ip\":\"10.0.0.5\",\"ts\":\"2026-11-23T09:01:00Z\"}");
        awaitDecided(9);
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void anAuditorFiltersOpensABlockedMessageWithItsFileAndSeesHostileTextAsText() throws Exception {
        try (HeadlessChrome chrome = HeadlessChrome.start()) {
            chrome.open(fixture.base() + "/console/requests");
            assertThat(chrome.url()).endsWith("/console/login");
            chrome.screenshot(SHOTS.resolve("01-login.png"));
            chrome.type("#email", "auditor@it.local");
            chrome.type("#password", ConsoleFixture.PASSWORD);
            chrome.click("#login");
            Eventually.within(
                    Duration.ofSeconds(10), () -> assertThat(chrome.url()).endsWith("/console/requests"));
            assertThat(chrome.findAll("#requests tbody tr")).hasSize(9);
            chrome.screenshot(SHOTS.resolve("02-requests.png"));

            chrome.click("#f-status option[value=BLOCKED]");
            chrome.click("#apply");
            Eventually.within(
                    Duration.ofSeconds(10), () -> assertThat(chrome.url()).contains("status=BLOCKED"));
            List<String> rows = chrome.findAll("#requests tbody tr");
            assertThat(rows).hasSize(2);
            assertThat(chrome.text("#requests tbody")).doesNotContain("ALLOWED").contains("BLOCKED");
            assertThat(chrome.text("#counts")).contains("BLOCKED 2").contains("ALLOWED 7");
            chrome.screenshot(SHOTS.resolve("03-requests-blocked.png"));

            chrome.click("tr[data-id='" + blocked.id() + "'] a.open");
            Eventually.within(Duration.ofSeconds(10), () -> assertThat(chrome.url())
                    .endsWith(blocked.id().toString()));
            assertThat(chrome.text("#message-text")).isEqualTo(blocked.text());
            assertThat(chrome.text("#file")).contains("secret-plan.pdf").contains("47.1 KiB");
            assertThat(chrome.text("#file-hash")).isEqualTo(HASH);
            assertThat(chrome.text("#dlp"))
                    .contains("X-Block-Reason: secret content")
                    .contains("IST-7");
            // A DLP call answered at once leaves one status write, its outcome: SENDING shows only for slow calls.
            assertThat(chrome.text("#timeline")).contains("BLOCKED").doesNotContain("SENDING");
            chrome.screenshot(SHOTS.resolve("04-blocked-message.png"));
            assertThat(chrome.script("return fetch('/console/files/" + HASH + "').then(r => r.text())")
                            .asText())
                    .isEqualTo("quarterly numbers");

            chrome.click("a.file-request");
            Eventually.within(Duration.ofSeconds(10), () -> assertThat(chrome.url())
                    .endsWith(file.id().toString()));
            assertThat(chrome.text("main")).contains("Messages that carried this file");
            assertThat(chrome.findAll("ul.linked a")).hasSize(1);
            chrome.screenshot(SHOTS.resolve("05-file.png"));

            chrome.open(fixture.base() + "/console/requests?sender=mallory%40it.local");
            chrome.click("tr[data-id='" + hostile.id() + "'] a.open");
            Eventually.within(Duration.ofSeconds(10), () -> assertThat(chrome.url())
                    .endsWith(hostile.id().toString()));
            assertThat(chrome.text("#message-text")).isEqualTo(HOSTILE);
            assertThat(chrome.findAll("#message-text *")).isEmpty();
            assertThat(chrome.findAll("img")).isEmpty();
            assertThat(chrome.alertText()).isNull();
            chrome.screenshot(SHOTS.resolve("06-hostile-text.png"));

            chrome.open(fixture.base() + "/console/journals");
            assertThat(chrome.text("#journal"))
                    .contains("user.created")
                    .contains("carol@it.local")
                    .contains("settings.applied")
                    .contains("login");
            chrome.screenshot(SHOTS.resolve("07-journals.png"));

            chrome.open(fixture.base() + "/console/views?check=1");
            assertThat(chrome.text("#chain")).startsWith("Chain intact");
            assertThat(chrome.text("#views"))
                    .contains("message.view")
                    .contains("file.view")
                    .contains("file.download");
            chrome.screenshot(SHOTS.resolve("08-views.png"));

            chrome.open(fixture.base() + "/console/health");
            assertThat(chrome.text("#settings")).contains("system=icap");
            assertThat(chrome.text("#meters")).contains("DLP calls icap");
            chrome.screenshot(SHOTS.resolve("09-health.png"));

            chrome.click("#logout");
            Eventually.within(
                    Duration.ofSeconds(10), () -> assertThat(chrome.url()).endsWith("/console/login"));
            chrome.type("#email", "admin@it.local");
            chrome.type("#password", ConsoleFixture.PASSWORD);
            chrome.click("#login");
            Eventually.within(
                    Duration.ofSeconds(10), () -> assertThat(chrome.url()).endsWith("/console/requests"));
            chrome.open(fixture.base() + "/console/accounts");
            assertThat(chrome.text("#accounts")).contains("auditor@it.local").contains("admin@it.local");
            chrome.screenshot(SHOTS.resolve("10-accounts.png"));
        }
    }

    private static void awaitDecided(int count) throws Exception {
        Eventually.within(Duration.ofSeconds(60), () -> {
            try (Connection c = fixture.db();
                    PreparedStatement s = c.prepareStatement(
                            "SELECT count(*) FROM gateway.requests WHERE status IN ('ALLOWED', 'BLOCKED')");
                    ResultSet r = s.executeQuery()) {
                r.next();
                assertThat(r.getInt(1)).isEqualTo(count);
            }
            return null;
        });
    }
}

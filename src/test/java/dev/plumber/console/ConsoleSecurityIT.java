package dev.plumber.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.api.ConsoleAccounts;
import dev.plumber.auth.PasswordHasher;
import dev.plumber.event.MessageEvent;
import dev.plumber.status.StatusStore;
import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.JsonHttp;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.ds.PGSimpleDataSource;

/** The console's security promises, over HTTP against a running gateway. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ConsoleSecurityIT {
    private static ConsoleFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new ConsoleFixture();
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void nothingIsServedWithoutALogIn() throws Exception {
        ConsoleClient anonymous = new ConsoleClient(fixture.base());
        for (String path : new String[] {
            "/console/requests",
            "/console/requests/some-id",
            "/console/journals",
            "/console/views",
            "/console/health",
            "/console/accounts",
            "/console/files/abc"
        }) {
            HttpResponse<String> response = anonymous.get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(302);
            assertThat(response.headers().firstValue("Location")).as(path).hasValue("/console/login");
        }
        assertThat(anonymous.post("/console/accounts", Map.of("email", "x@y.z")).statusCode())
                .isEqualTo(401);
        assertThat(anonymous.get("/console/login").statusCode()).isEqualTo(200);
    }

    @Test
    void aMessengerUserCannotLogIn() throws Exception {
        ConsoleClient user = new ConsoleClient(fixture.base());

        HttpResponse<String> response = user.login("alice@it.local", ConsoleFixture.PASSWORD);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("Wrong e-mail or password");
        assertThat(user.get("/console/requests").statusCode()).isEqualTo(302);
    }

    @Test
    void theSessionCookieIsHttpOnlyAndSameSiteStrict() throws Exception {
        ConsoleClient auditor = new ConsoleClient(fixture.base());
        auditor.get("/console/login");

        HttpResponse<String> response = auditor.post(
                "/console/login",
                Map.of("csrf", auditor.csrf, "email", "auditor@it.local", "password", ConsoleFixture.PASSWORD));

        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
                .startsWith(ConsoleLogin.SESSION_COOKIE + "=")
                .contains("HttpOnly")
                .contains("SameSite=Strict")
                .contains("Path=/console"));
        assertThat(response.headers().firstValue("Location")).hasValue("/console/requests");
    }

    @Test
    void everyFormNeedsItsCsrfToken() throws Exception {
        ConsoleClient stranger = new ConsoleClient(fixture.base());
        stranger.get("/console/login");
        assertThat(stranger.post(
                                "/console/login",
                                Map.of("email", "admin@it.local", "password", ConsoleFixture.PASSWORD))
                        .statusCode())
                .as("log-in without the form's token")
                .isEqualTo(403);

        ConsoleClient admin = new ConsoleClient(fixture.base());
        assertThat(admin.login("admin@it.local", ConsoleFixture.PASSWORD).statusCode())
                .isEqualTo(302);
        Map<String, String> account =
                Map.of("email", "new-auditor@it.local", "password", "a long enough password", "role", "auditor");

        assertThat(admin.post("/console/accounts", account).statusCode()).isEqualTo(403);
        assertThat(admin.post("/console/accounts", with(account, "csrf", "forged"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(admin.post("/console/logout", Map.of()).statusCode()).isEqualTo(403);
        assertThat(admin.get("/console/accounts").body()).doesNotContain("new-auditor@it.local");

        HttpResponse<String> created = admin.post("/console/accounts", with(account, "csrf", admin.csrf));
        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(created.body()).contains("Created new-auditor@it.local");
    }

    @Test
    void onlyAdminsManageAccountsAndADisabledAccountLosesItsSession() throws Exception {
        fixture.gateway
                .consoleAccounts()
                .create("temp@it.local", ConsoleFixture.PASSWORD, dev.plumber.api.ConsoleAccounts.Role.AUDITOR);
        ConsoleClient temp = new ConsoleClient(fixture.base());
        assertThat(temp.login("temp@it.local", ConsoleFixture.PASSWORD).statusCode())
                .isEqualTo(302);
        assertThat(temp.get("/console/accounts").statusCode()).isEqualTo(403);
        assertThat(temp.get("/console/requests").statusCode()).isEqualTo(200);

        ConsoleClient admin = new ConsoleClient(fixture.base());
        admin.login("admin@it.local", ConsoleFixture.PASSWORD);
        admin.get("/console/accounts");
        HttpResponse<String> disabled =
                admin.post("/console/accounts/temp%40it.local/disable", Map.of("csrf", admin.csrf));

        assertThat(disabled.body()).contains("Disabled temp@it.local");
        assertThat(temp.get("/console/requests").statusCode()).isEqualTo(302);
        assertThat(temp.login("temp@it.local", ConsoleFixture.PASSWORD).statusCode())
                .isEqualTo(401);
    }

    @Test
    void aDisabledAccountLosesItsApiTokens() throws Exception {
        fixture.gateway
                .consoleAccounts()
                .create("api-temp@it.local", ConsoleFixture.PASSWORD, dev.plumber.api.ConsoleAccounts.Role.AUDITOR);
        JsonHttp api = new JsonHttp(fixture.base()).login("api-temp@it.local", ConsoleFixture.PASSWORD);
        assertThat(api.get("/api/v1/requests").has("items")).isTrue();

        ConsoleClient admin = new ConsoleClient(fixture.base());
        admin.login("admin@it.local", ConsoleFixture.PASSWORD);
        assertThat(admin.post("/console/accounts/api-temp%40it.local/disable", Map.of("csrf", admin.csrf))
                        .body())
                .contains("Disabled api-temp@it.local");

        assertThatThrownBy(() -> api.get("/api/v1/requests")).hasMessageContaining("401");
        assertThatThrownBy(() -> api.get("/api/v1/requests/some-id")).hasMessageContaining("401");
    }

    @Test
    void anAdminCannotDisableTheirOwnAccountWrittenDifferently() throws Exception {
        ConsoleClient admin = new ConsoleClient(fixture.base());
        admin.login("admin@it.local", ConsoleFixture.PASSWORD);
        admin.get("/console/accounts");

        HttpResponse<String> refused =
                admin.post("/console/accounts/%20Admin%40IT.local%20/disable", Map.of("csrf", admin.csrf));

        assertThat(refused.body()).contains("You cannot disable your own account");
        assertThat(admin.get("/console/accounts").statusCode()).isEqualTo(200);
    }

    @Test
    void theLastEnabledAdminIsNeverDisabled() throws Exception {
        ConsoleAccounts accounts = isolatedAccounts("last_admin", new PasswordHasher(1_000));
        accounts.create("one@it.local", ConsoleFixture.PASSWORD, ConsoleAccounts.Role.ADMIN);
        accounts.create("two@it.local", ConsoleFixture.PASSWORD, ConsoleAccounts.Role.ADMIN);

        assertThat(accounts.setDisabled(" Two@it.local", true)).isEqualTo(ConsoleAccounts.Change.DONE);
        assertThat(accounts.setDisabled("one@it.local", true)).isEqualTo(ConsoleAccounts.Change.LAST_ADMIN);
        assertThat(accounts.enabledRole("one@it.local")).hasValue(ConsoleAccounts.Role.ADMIN);
        assertThat(accounts.setDisabled("nobody@it.local", true)).isEqualTo(ConsoleAccounts.Change.NO_SUCH_ACCOUNT);
        assertThat(accounts.setDisabled("two@it.local", false)).isEqualTo(ConsoleAccounts.Change.DONE);
        assertThat(accounts.setDisabled("one@it.local", true)).isEqualTo(ConsoleAccounts.Change.DONE);
    }

    @Test
    void anUnknownOrDisabledEmailTakesAsLongToRefuseAsAWrongPassword() throws Exception {
        // Enough iterations that the hash, not the database, sets the time: about 50 ms a check.
        ConsoleAccounts accounts = isolatedAccounts("timing", new PasswordHasher(100_000));
        accounts.create("known@it.local", ConsoleFixture.PASSWORD, ConsoleAccounts.Role.AUDITOR);
        accounts.create("gone@it.local", ConsoleFixture.PASSWORD, ConsoleAccounts.Role.AUDITOR);
        accounts.setDisabled("gone@it.local", true);
        accounts.authenticate("known@it.local", "warm-up");

        long wrongPassword = refusalNanos(accounts, "known@it.local");
        long unknown = refusalNanos(accounts, "unknown@it.local");
        long disabled = refusalNanos(accounts, "gone@it.local");

        assertThat(unknown).as("unknown e-mail vs wrong password").isGreaterThan(wrongPassword / 2);
        assertThat(disabled).as("disabled account vs wrong password").isGreaterThan(wrongPassword / 2);
    }

    @Test
    void aLiveWordSearchIsJournaledOnceNotOnEveryRefresh() throws Exception {
        String email = "searcher-" + UUID.randomUUID() + "@it.local";
        fixture.gateway
                .consoleAccounts()
                .create(email, ConsoleFixture.PASSWORD, dev.plumber.api.ConsoleAccounts.Role.AUDITOR);
        ConsoleClient auditor = new ConsoleClient(fixture.base());
        auditor.login(email, ConsoleFixture.PASSWORD);

        for (int i = 0; i < 3; i++) {
            assertThat(auditor.get("/console/requests?q=confidential&fragment=live")
                            .statusCode())
                    .isEqualTo(200);
        }
        assertThat(searchesJournaled(email)).isEqualTo(1);

        auditor.get("/console/requests?q=confidential");
        auditor.get("/console/requests?q=recipe&fragment=live");

        assertThat(searchesJournaled(email)).isEqualTo(2);
    }

    private static long searchesJournaled(String actor) throws SQLException {
        try (Connection c = fixture.db();
                PreparedStatement s = c.prepareStatement(
                        "SELECT count(*) FROM gateway.view_journal WHERE actor = ? AND action = 'message.search'")) {
            s.setString(1, actor);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    @Test
    void anUnreadableJournalPositionShowsTheFirstPage() throws Exception {
        ConsoleClient auditor = new ConsoleClient(fixture.base());
        auditor.login("auditor@it.local", ConsoleFixture.PASSWORD);

        HttpResponse<String> page = auditor.get("/console/journals?beforeTs=x&beforeId=y");

        assertThat(page.statusCode()).isEqualTo(200);
    }

    @Test
    void repeatedFailedLogInsAreThrottled() throws Exception {
        fixture.gateway
                .consoleAccounts()
                .create("guessed@it.local", ConsoleFixture.PASSWORD, dev.plumber.api.ConsoleAccounts.Role.AUDITOR);
        ConsoleClient guesser = new ConsoleClient(fixture.base());
        for (int i = 0; i < 5; i++) {
            assertThat(guesser.login("guessed@it.local", "guess " + i).statusCode())
                    .isEqualTo(401);
        }

        HttpResponse<String> locked = guesser.login("guessed@it.local", ConsoleFixture.PASSWORD);

        assertThat(locked.statusCode()).isEqualTo(429);
        assertThat(locked.body()).contains("Too many failed log-ins");
        JsonHttp api = new JsonHttp(fixture.base());
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> api.login("guessed@it.local", "api guess")).hasMessageContaining("401");
        }
        assertThatThrownBy(() -> api.login("guessed@it.local", ConsoleFixture.PASSWORD))
                .hasMessageContaining("429");
    }

    @Test
    void everyViewOfAMessageIsJournaledAndTheTextIsNotStoredPlain() throws Exception {
        MessageEvent message =
                ConsoleFixture.message("bob@it.local", "chat-v", "a secret recipe " + UUID.randomUUID(), null);
        fixture.send(message);
        awaitStatus(message.id().toString(), "BLOCKED");
        ConsoleClient auditor = new ConsoleClient(fixture.base());
        auditor.login("auditor@it.local", ConsoleFixture.PASSWORD);

        HttpResponse<String> page = auditor.get("/console/requests/" + message.id());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains(message.text());
        try (Connection c = fixture.db();
                PreparedStatement s = c.prepareStatement(
                        "SELECT actor, action, ip FROM gateway.view_journal WHERE target = ? ORDER BY seq")) {
            s.setString(1, message.id().toString());
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
                assertThat(r.getString(1)).isEqualTo("auditor@it.local");
                assertThat(r.getString(2)).isEqualTo("message.view");
                assertThat(r.getString(3)).isNotBlank();
            }
        }
        try (Connection c = fixture.db();
                PreparedStatement s = c.prepareStatement(
                        "SELECT content, array_to_string(content_terms, ' ') FROM gateway.requests WHERE event_id = ?")) {
            s.setString(1, message.id().toString());
            try (ResultSet r = s.executeQuery()) {
                r.next();
                String stored = new String(r.getBytes(1), StandardCharsets.ISO_8859_1);
                assertThat(stored).doesNotContain("secret").doesNotContain("recipe");
                assertThat(r.getString(2)).doesNotContain("secret").doesNotContain("recipe");
            }
        }
        assertThat(auditor.get("/console/requests?q=RECIPE").body())
                .contains(message.id().toString());
        assertThat(auditor.get("/console/requests?q=pudding").body())
                .doesNotContain(message.id().toString());
    }

    @Test
    void theChainCheckFailsWhenARecordIsAltered() throws Exception {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(fixture.dbUrl);
        dataSource.setUser(fixture.postgres.user());
        ViewJournal journal = new ViewJournal(dataSource, Clock.systemUTC());
        journal.append("auditor@it.local", "message.view", "event-1", "10.0.0.1");
        journal.append("auditor@it.local", "file.download", "hash-1", "10.0.0.1");
        journal.append("auditor@it.local", "message.view", "event-2", "10.0.0.1");
        assertThat(journal.verify().intact()).isTrue();

        try (Connection c = fixture.db();
                Statement s = c.createStatement()) {
            assertThatThrownBy(() ->
                            s.executeUpdate("UPDATE gateway.view_journal SET actor = 'nobody' WHERE target = 'hash-1'"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.executeUpdate("DELETE FROM gateway.view_journal"))
                    .isInstanceOf(SQLException.class);
            // Someone with the owner's rights switches the guard off and rewrites history.
            s.execute("ALTER TABLE gateway.view_journal DISABLE TRIGGER view_journal_append_only");
            s.executeUpdate("UPDATE gateway.view_journal SET actor = 'nobody' WHERE target = 'hash-1'");
            s.execute("ALTER TABLE gateway.view_journal ENABLE TRIGGER view_journal_append_only");
        }

        ViewJournal.Check check = journal.verify();
        assertThat(check.intact()).isFalse();
        assertThat(check.problem()).contains("was altered");
        java.nio.file.Path config = java.nio.file.Files.createTempFile("plumber", ".yml");
        java.nio.file.Files.writeString(
                config,
                "store: {url: \"" + fixture.dbUrl + "\", user: \"" + fixture.postgres.user() + "\", password: \"\"}\n");
        assertThat(dev.plumber.cli.Main.run("console", "check-views", "--config", config.toString()))
                .isEqualTo(1);
        ConsoleClient auditor = new ConsoleClient(fixture.base());
        auditor.login("auditor@it.local", ConsoleFixture.PASSWORD);
        assertThat(auditor.get("/console/views?check=1").body()).contains("Chain broken");
        try (Connection c = fixture.db();
                Statement s = c.createStatement()) {
            // Put it back, so the other tests' views still chain.
            s.execute("ALTER TABLE gateway.view_journal DISABLE TRIGGER view_journal_append_only");
            s.executeUpdate("UPDATE gateway.view_journal SET actor = 'auditor@it.local' WHERE target = 'hash-1'");
            s.execute("ALTER TABLE gateway.view_journal ENABLE TRIGGER view_journal_append_only");
        }
        assertThat(journal.verify().intact()).isTrue();
        assertThat(dev.plumber.cli.Main.run("console", "check-views", "--config", config.toString()))
                .isEqualTo(0);
    }

    @Test
    void theCoreJournalsAreSearchableByActor() throws Exception {
        String actor = "root-" + UUID.randomUUID() + "@it.local";
        fixture.journal(
                "admin-events",
                "{\"v\":1,\"id\":\"" + UUID.randomUUID() + "\",\"journal\":\"admin\",\"action\":\"user.created\","
                        + "\"actor\":\"" + actor + "\",\"target\":\"carol@it.local\",\"ip\":\"10.1.1.1\","
                        + "\"ts\":\"2026-11-23T10:00:00Z\",\"details\":{\"role\":\"user\"}}");
        fixture.journal(
                "system-events",
                "{\"v\":1,\"id\":\"" + UUID.randomUUID() + "\",\"journal\":\"system\",\"action\":\"login\","
                        + "\"actor\":\"" + actor + "\",\"ip\":\"10.1.1.1\",\"ts\":\"2026-11-23T10:05:00Z\"}");
        ConsoleClient auditor = new ConsoleClient(fixture.base());
        auditor.login("auditor@it.local", ConsoleFixture.PASSWORD);

        String page = Eventually.within(Duration.ofSeconds(60), () -> {
            String body = auditor.get("/console/journals?actor=" + actor).body();
            assertThat(body).contains("user.created").contains("carol@it.local").contains("login");
            return body;
        });

        assertThat(page).contains("2026-11-23 10:00:00");
        assertThat(auditor.get("/console/journals?actor=" + actor + "&from=2026-11-23T10:01")
                        .body())
                .doesNotContain("user.created")
                .contains("login");
    }

    /** Console accounts in a database of their own, for tests that need to know every account. */
    private static ConsoleAccounts isolatedAccounts(String database, PasswordHasher hasher) throws Exception {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(fixture.postgres.createDatabase(database));
        dataSource.setUser(fixture.postgres.user());
        StatusStore.migrate(dataSource);
        return new ConsoleAccounts(dataSource, hasher);
    }

    /** How long five refused log-ins of this e-mail take. */
    private static long refusalNanos(ConsoleAccounts accounts, String email) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            assertThat(accounts.authenticate(email, "wrong password " + i)).isEmpty();
        }
        return System.nanoTime() - start;
    }

    private static Map<String, String> with(Map<String, String> form, String key, String value) {
        Map<String, String> copy = new java.util.HashMap<>(form);
        copy.put(key, value);
        return copy;
    }

    static void awaitStatus(String eventId, String status) throws Exception {
        Eventually.within(Duration.ofSeconds(60), () -> {
            try (Connection c = fixture.db();
                    PreparedStatement s =
                            c.prepareStatement("SELECT status FROM gateway.requests WHERE event_id = ?")) {
                s.setString(1, eventId);
                try (ResultSet r = s.executeQuery()) {
                    assertThat(r.next()).isTrue();
                    assertThat(r.getString(1)).isEqualTo(status);
                }
            }
            return null;
        });
    }
}

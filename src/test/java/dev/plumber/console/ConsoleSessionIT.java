package dev.plumber.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.api.ConsoleAccounts;
import dev.plumber.auth.PasswordHasher;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSettingsSource;
import dev.plumber.status.ContentCipher;
import dev.plumber.status.StatusStore;
import dev.plumber.testkit.InMemoryFileSource;
import dev.plumber.testkit.MutableClock;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How long a console log-in lasts, on a clock the test moves. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ConsoleSessionIT {
    private static final String PASSWORD = "correct horse battery";

    @Test
    void aSessionKeptInUseEndsEightHoursAfterTheLogIn() throws Exception {
        MutableClock clock = new MutableClock();
        ContentCipher cipher = new ContentCipher(new byte[32], new SecureRandom());
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            postgres.createDatabase("sessions");
            DataSource dataSource = postgres.dataSource("sessions");
            StatusStore.migrate(dataSource);
            ConsoleAccounts accounts = new ConsoleAccounts(dataSource, new PasswordHasher(1_000));
            accounts.create("auditor@it.local", PASSWORD, ConsoleAccounts.Role.AUDITOR);
            try (StatusStore store = new StatusStore(dataSource, clock, cipher)) {
                Console console = new Console(
                        accounts,
                        new RequestSearch(dataSource, cipher),
                        store,
                        new Journals(dataSource),
                        new ViewJournal(dataSource, clock),
                        DlpSettingsSource.fixed(
                                DlpSettings.fromMap(Map.of("system", "icap", "address", "icap://127.0.0.1:1/r"))),
                        new InMemoryFileSource(),
                        false,
                        new SimpleMeterRegistry(),
                        clock);
                Javalin app = Javalin.create(c -> c.showJavalinBanner = false);
                console.register(app);
                app.start(0);
                try {
                    ConsoleClient auditor = new ConsoleClient("http://127.0.0.1:" + app.port());
                    assertThat(auditor.login("auditor@it.local", PASSWORD).statusCode())
                            .isEqualTo(302);

                    // A page every 20 minutes, well inside the 30-minute idle window, up to 7 h 40 min.
                    for (int i = 0; i < 23; i++) {
                        clock.advance(Duration.ofMinutes(20));
                        assertThat(auditor.get("/console/requests").statusCode())
                                .as("after %d min", (i + 1) * 20)
                                .isEqualTo(200);
                    }
                    clock.advance(Duration.ofMinutes(20));
                    HttpResponse<String> late = auditor.get("/console/requests");

                    assertThat(late.statusCode()).isEqualTo(302);
                    assertThat(late.headers().firstValue("Location")).hasValue("/console/login");
                } finally {
                    app.stop();
                }
            }
        }
    }
}

package dev.plumber.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.testkit.CliRun;
import dev.plumber.testkit.EtcdServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code plumber config check} against a real etcd, Kafka and PostgreSQL: its report and its exit codes. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConfigCheckIT {
    private static final String DLP = "/vars/services/plumber/development/public/service/DLP/";

    @TempDir
    static Path dir;

    private static EtcdServer etcd;
    private static EmbeddedKafka kafka;
    private static EmbeddedPostgres postgres;
    private static String storeUrl;

    @BeforeAll
    static void start() throws Exception {
        etcd = EtcdServer.launch();
        kafka = EmbeddedKafka.start();
        postgres = EmbeddedPostgres.start();
        storeUrl = postgres.createDatabase("plumber");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable part : new AutoCloseable[] {etcd, kafka, postgres}) {
            if (part != null) {
                part.close();
            }
        }
    }

    @Test
    void printsEffectiveSettingsWithSourcesAndMasksSecrets() throws Exception {
        etcd.put(DLP + "system", "infowatch");
        etcd.put(DLP + "address", "tm.example:9101");
        etcd.put(DLP + "token", "t0p-s3cret");
        etcd.put(DLP + "company", "ACME");
        etcd.put(DLP + "imservice", "im_VKteams");

        CliRun run = check(config(kafka.bootstrapServers(), "db-s3cret"));

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("configuration OK")
                .containsPattern("kafka\\.bootstrapServers\\s+= " + kafka.bootstrapServers() + "\\s+\\(file\\)")
                .containsPattern("dlpClient\\.timeout\\s+= PT5S\\s+\\(default\\)")
                .containsPattern("store\\.password\\s+= \\*\\*\\*\\*")
                .contains("system=infowatch address=tm.example:9101 token=****")
                .doesNotContain("t0p-s3cret")
                .doesNotContain("db-s3cret");
    }

    @Test
    void failsWithTheReasonsWhenSettingsAreInvalidOrPeersUnreachable() throws Exception {
        etcd.put(DLP + "system", "smoke-signals");

        CliRun run = check(config("127.0.0.1:1", ""));

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err())
                .contains("DLP settings:")
                .contains("'system' must be 'icap' or 'infowatch'")
                .contains("Kafka at 127.0.0.1:1 does not answer");
    }

    @Test
    void rejectsAnUnknownKeyInPlumberYml() throws Exception {
        Path file = dir.resolve("typo.yml");
        Files.writeString(file, "dlpClient:\n  timeOut: 5s\n");

        CliRun run = check(file);

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err().strip().lines()).hasSize(1);
        assertThat(run.err()).contains("dlpClient.timeOut");
    }

    private static Path config(String bootstrap, String password) throws Exception {
        Path file = Files.createTempFile(dir, "plumber", ".yml");
        Files.writeString(
                file,
                """
                etcd: {endpoints: ["%s"], prefixes: [development], timeout: 2s}
                kafka: {bootstrapServers: "%s"}
                store: {url: "%s", user: %s, password: "%s"}
                """
                        .formatted(etcd.endpoint(), bootstrap, storeUrl, postgres.user(), password));
        return file;
    }

    private static CliRun check(Path config) {
        return CliRun.of("config", "check", "--config", config.toString());
    }
}
